/**
 * The in-memory core: `app.inject()` runs the same pipeline as a socket would, with no socket, for fast
 * tests (like Fastify's inject and Hono's app.request).
 */
import type { App } from '../app.js'
import { emptyHeaders, type RequestHeaders, type RequestInit } from '../request.js'
import { bodyLength, type HeaderValue, type OutgoingResponse, type ResponseSink } from '../response.js'
import { StreamBody } from '../streaming.js'
import { bodyTooLarge, limitError } from './limits.js'

/** A request to inject. */
export interface InjectOptions {
  /** @default 'GET' */
  method?: string
  /** Path and query, e.g. `/items?limit=2`. */
  url: string
  headers?: Record<string, string>
  /** A string or bytes are sent as they are; anything else as JSON (with `content-type: application/json`). */
  body?: unknown
  /** @default '127.0.0.1' */
  ip?: string
}

/** The response of an injected request. */
export interface InjectResponse {
  status: number
  /** Lower-cased names, including `content-length` as a socket core would send it. */
  headers: Record<string, HeaderValue>
  /** The body as UTF-8 text. */
  body: string
  rawBody: Buffer
  /** The body parsed as JSON. @throws SyntaxError when it is not JSON. */
  json<T = unknown>(): T
}

/** What `inject` needs of an app: its limits and its request entry point. */
export type InjectTarget = Pick<App<object>, 'limits' | 'handle' | 'bodyLimitFor'>

/** Runs one request through `app` in memory. */
export function inject(app: InjectTarget, options: InjectOptions): Promise<InjectResponse> {
  const headers = emptyHeaders()
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value
  const body = encodeBody(options.body, headers)
  if (body) headers['content-length'] ??= String(body.length)
  const target = options.url.startsWith('/') ? options.url : `/${options.url}`
  const q = target.indexOf('?')
  const headerBytes = Object.entries(headers).reduce((n, [k, v]) => n + k.length + (v?.length ?? 0), 0)
  const method = (options.method ?? 'GET').toUpperCase()
  const path = q === -1 ? target : target.slice(0, q)
  // The matched route's body limit (its bodyLimit option or middleware), as the socket cores decide it.
  const bodyLimit = body ? app.bodyLimitFor(method, path) : app.limits.body
  const init: RequestInit = {
    method,
    path,
    querystring: q === -1 ? '' : target.slice(q + 1),
    headers,
    ip: options.ip ?? '127.0.0.1',
    body: body ? bufferBody(body) : null,
    bodyLimit,
    error: limitError(target.length, headerBytes, headers, app.limits, bodyLimit),
  }
  const sink = new InjectSink()
  // Resolved once the whole pipeline is done (log line and counters included), as a socket client would
  // see the response only after the server wrote it.
  let handled: Promise<void> | undefined
  try {
    handled = app.handle(init, sink)
  } catch (err) {
    // Routes that cannot freeze (duplicates) throw on the first request.
    return Promise.reject(err as Error)
  }
  return Promise.resolve(handled).then(() => {
    if (!sink.response) throw new Error('no response was written')
    return sink.response
  })
}

function encodeBody(body: unknown, headers: RequestHeaders): Buffer | undefined {
  if (body === undefined) return undefined
  if (typeof body === 'string' || body instanceof Uint8Array) return Buffer.from(body)
  headers['content-type'] ??= 'application/json'
  return Buffer.from(JSON.stringify(body))
}

function bufferBody(bytes: Buffer) {
  return {
    complete: true,
    read: (limit: number) =>
      bytes.length > limit ? Promise.reject(bodyTooLarge(limit)) : Promise.resolve(bytes),
  }
}

class InjectSink implements ResponseSink {
  readonly aborted = false
  response: InjectResponse | undefined

  onAbort(): void {
    // An injected request has no client that could leave.
  }

  async send(response: OutgoingResponse): Promise<void> {
    const headers: Record<string, HeaderValue> = Object.create(null)
    if (response.contentType !== undefined) headers['content-type'] = response.contentType
    for (const [name, value] of response.headers) headers[name] = value
    const noBody = response.status === 204 || response.status === 304
    const { body: source } = response
    let rawBody: Buffer
    if (source instanceof StreamBody) {
      // No socket to push back: read the whole stream, as a client reading at full speed would.
      rawBody = response.head || noBody ? (source.close(), Buffer.alloc(0)) : await source.collect()
      if (source.length !== undefined) headers['content-length'] = String(source.length)
      else if (!noBody) headers['transfer-encoding'] = 'chunked'
    } else {
      if (!noBody) headers['content-length'] = String(bodyLength(source))
      rawBody = response.head || noBody ? Buffer.alloc(0) : Buffer.from(source ?? '')
    }
    const body = rawBody.toString('utf8')
    this.response = {
      status: response.status,
      headers,
      body,
      rawBody,
      json: <T>() => JSON.parse(body) as T,
    }
  }
}
