/**
 * The request copy, body reader and ResponseSink shared by the node cores: node:http and node:https
 * (IncomingMessage / ServerResponse) and node:http2 through its compatibility API (Http2ServerRequest /
 * Http2ServerResponse), which has the same shape, so one path serves HTTP/1.1 and HTTP/2.
 */
import type { IncomingMessage } from 'node:http'
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2'
import { Readable, type Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { App } from '../app.js'
import { ERR, HttpError } from '../errors.js'
import { emptyHeaders, type BodySource, type RequestInit } from '../request.js'
import { isBodylessStatus, type OutgoingResponse, type ResponseSink } from '../response.js'
import { StreamBody } from '../streaming.js'
import type { InFlight } from './in-flight.js'
import { bodyTooLarge, hasBody, limitError } from './limits.js'

/** A request on any node core. */
export type NodeRequest = IncomingMessage | Http2ServerRequest

/** What the sink needs of a ServerResponse or an Http2ServerResponse. */
export type NodeResponse = Writable & {
  statusCode: number
  setHeader(name: string, value: number | string | readonly string[]): unknown
}

/**
 * Headers that describe an HTTP/1.1 connection, not a message: an HTTP/2 response must not carry them.
 * @see https://www.rfc-editor.org/rfc/rfc9113#section-8.2.2
 */
const CONNECTION_SPECIFIC = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
])

/**
 * Copies method, target and headers. HTTP/2 pseudo-headers (`:method`, `:path`...) are left out, and
 * `:authority` becomes `host`, which is where the pipeline (and HTTP/1.1 code) looks for it.
 * @see https://www.rfc-editor.org/rfc/rfc9113#section-8.3.1
 */
export function copyRequest(req: NodeRequest, app: App<object>): RequestInit {
  const limits = app.limits
  const url = req.url ?? '/'
  const q = url.indexOf('?')
  const headers = emptyHeaders()
  let headerBytes = 0
  let authority: string | undefined
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] as string).toLowerCase()
    const value = req.rawHeaders[i + 1] as string
    headerBytes += name.length + value.length
    if (name.charCodeAt(0) === 58 /* ':' */) {
      if (name === ':authority') authority = value
      continue
    }
    const previous = headers[name]
    // HTTP/2 may split Cookie into one field per pair; rejoined with '; ' (RFC 9113 §8.2.3).
    headers[name] = previous === undefined ? value : previous + (name === 'cookie' ? '; ' : ', ') + value
  }
  const path = q === -1 ? url : url.slice(0, q)
  // The matched route's limit (never anything the client chose) decides the early 413 and the buffering.
  // HTTP/2 frames a body without Content-Length or Transfer-Encoding (RFC 9113 §8.1).
  const mayHaveBody = hasBody(headers) || req.httpVersionMajor === 2
  const bodyLimit = mayHaveBody ? app.bodyLimitFor(req.method ?? 'GET', path) : limits.body
  let error = limitError(url.length, headerBytes, headers, limits, bodyLimit)
  if (authority !== undefined) {
    if (headers.host !== undefined && headers.host !== authority) {
      error ??= new HttpError(400, 'Host differs from :authority (RFC 9113 §8.3.1)', {
        code: ERR.BAD_REQUEST,
      })
    }
    headers.host = authority
  }
  return {
    method: req.method ?? 'GET',
    path,
    querystring: q === -1 ? '' : url.slice(q + 1),
    headers,
    ip: req.socket?.remoteAddress ?? '',
    body: null,
    bodyLimit,
    ...(error ? { error } : {}),
  }
}

/** Buffers the request body up to the limit; rejects with 413 past it, 408 past `deadlineMs`. */
export class NodeBody implements BodySource {
  complete = false
  #chunks: Buffer[] = []
  #size = 0
  #result: Promise<Buffer>

  /**
   * @param limit - Body limit in bytes.
   * @param deadlineMs - Time allowed for the whole body, in ms (HTTP/2, where Node has no `requestTimeout`);
   *   undefined leaves it to the server (HTTP/1.1).
   */
  constructor(req: NodeRequest, limit: number, deadlineMs?: number) {
    this.#result = new Promise((resolve, reject) => {
      const timer =
        deadlineMs === undefined
          ? undefined
          : setTimeout(() => {
              this.#chunks = []
              req.pause()
              reject(
                new HttpError(408, `request body not received within ${deadlineMs} ms`, {
                  code: ERR.REQUEST_TIMEOUT,
                }),
              )
            }, deadlineMs).unref()
      req.on('data', (chunk: Buffer) => {
        this.#size += chunk.length
        if (this.#size > limit) {
          this.#chunks = []
          reject(bodyTooLarge(limit))
        } else {
          this.#chunks.push(chunk)
        }
      })
      req.on('end', () => {
        clearTimeout(timer)
        this.complete = true
        resolve(Buffer.concat(this.#chunks))
      })
      req.on('close', () => {
        clearTimeout(timer)
        if (!this.complete) {
          reject(
            new HttpError(400, 'the client closed the connection before the body arrived', {
              code: ERR.CLIENT_ABORTED,
            }),
          )
        }
      })
    })
    // A body nobody reads must not surface as an unhandled rejection.
    this.#result.catch(() => undefined)
  }

  read(limit: number): Promise<Buffer> {
    if (this.#size > limit) return Promise.reject(bodyTooLarge(limit))
    return this.#result.then((body) => (body.length > limit ? Promise.reject(bodyTooLarge(limit)) : body))
  }
}

/** Writes a finished response to a node:http, node:https or node:http2 (compat) response. */
export class NodeSink implements ResponseSink {
  aborted = false
  #done = false
  #onAbort: (() => void) | undefined
  readonly #res: NodeResponse
  readonly #owner: InFlight
  readonly #http2: boolean

  /** @param http2 - The response travels on an HTTP/2 stream: no connection-specific headers. */
  constructor(res: NodeResponse, owner: InFlight, http2: boolean) {
    this.#res = res
    this.#owner = owner
    this.#http2 = http2
    if (http2) {
      // The compatibility response reports itself finished whenever its stream closes, reset or not; the
      // stream's 'aborted' event fires only when it was reset before the response was ended.
      ;(res as unknown as Http2ServerResponse).stream.once('aborted', () => this.#abort())
    }
    res.on('close', () => {
      if (!http2 && !res.writableFinished) this.#abort()
      this.#finish()
    })
  }

  #abort(): void {
    if (this.aborted) return
    this.aborted = true
    this.#onAbort?.()
  }

  onAbort(callback: () => void): void {
    this.#onAbort = callback
  }

  send({ status, headers, contentType, body, head, close }: OutgoingResponse): void | Promise<void> {
    if (this.aborted || this.#done) {
      if (body instanceof StreamBody) body.close()
      return
    }
    const res = this.#res
    res.statusCode = status
    if (contentType !== undefined) res.setHeader('content-type', contentType)
    for (const [name, value] of headers) {
      if (name === 'content-length' || name === 'transfer-encoding') continue
      if (this.#http2 && CONNECTION_SPECIFIC.has(name)) continue
      res.setHeader(name, value)
    }
    // HTTP/2 has no connection header: shutdown sends GOAWAY, and an unread body ends with the stream.
    if (close && !this.#http2) res.setHeader('connection', 'close')
    if (body instanceof StreamBody) return this.#stream(body, isBodylessStatus(status) || head)
    if (isBodylessStatus(status)) return void res.end()
    const bytes = body ?? ''
    res.setHeader('content-length', typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength)
    // Node leaves the body out of HEAD responses itself; Content-Length stays that of the GET body.
    res.end(head ? undefined : bytes)
  }

  /** Pipes the stream with Node's own backpressure; pipeline() closes the source when the client leaves. */
  async #stream(body: StreamBody, headersOnly: boolean): Promise<void> {
    const res = this.#res
    if (body.length !== undefined) res.setHeader('content-length', body.length)
    if (headersOnly) {
      body.close()
      return void res.end()
    }
    const chunks = async function* (): AsyncGenerator<Uint8Array> {
      for (let chunk = await body.next(); chunk; chunk = await body.next()) yield chunk
    }
    try {
      await pipeline(Readable.from(chunks()), res)
    } catch {
      // The client left or the producer failed; pipeline already destroyed the response.
    } finally {
      body.close()
    }
  }

  #finish(): void {
    if (this.#done) return
    this.#done = true
    this.#owner.released()
  }
}
