/**
 * The buffered response and the ResponseSink interface each core implements. Status, headers and body are
 * held here until the outermost middleware returns, then written in one go.
 */
import { STATUS_CODES } from 'node:http'
import { ERR, HttpError } from './errors.js'
import { StreamBody } from './streaming.js'

/** A body known in full: text, bytes, or nothing. */
export type StaticBody = string | Uint8Array | null

/** A response body once the pipeline is done: text, bytes, nothing, or a stream. */
export type ResponseBody = StaticBody | StreamBody

/** Header values as held: one value, or several for headers such as `set-cookie`. */
export type HeaderValue = string | string[]

/** What a core needs to write a finished response. */
export interface OutgoingResponse {
  status: number
  /** Lower-cased names. `content-length` and `transfer-encoding` are the core's business and never here. */
  headers: ReadonlyMap<string, HeaderValue>
  /**
   * A Content-Type to write besides `headers` (then never in `headers` too): the one a body helper chose
   * for a response that built no header Map. A framework constant, already valid.
   */
  contentType: string | undefined
  body: ResponseBody
  /** A HEAD request: send the headers (with the body's Content-Length) and no body bytes. */
  head: boolean
  /** Close the connection after this response (shutdown, or an unread request body). */
  close: boolean
}

/** Where a core writes responses. Implemented by the uWS core and by `inject`. */
export interface ResponseSink {
  /** True once the client has gone; nothing may be written after that. */
  readonly aborted: boolean
  /** Registers the single callback run when the client goes away (used for `ctx.signal`). */
  onAbort(callback: () => void): void
  /**
   * Writes the response. Called at most once. For a streamed body, resolves when the stream has ended
   * (or the client left); a core must close the stream in every case.
   */
  send(response: OutgoingResponse): void | Promise<void>
}

const NO_HEADERS: ReadonlyMap<string, HeaderValue> = new Map()

/** The response being built: plain data middleware may read and adjust on the way out. */
export class ResponseState {
  /** HTTP status. @default 200 */
  status = 200
  /** True once a status was set explicitly. */
  statusSet = false
  #headers: Map<string, HeaderValue> | undefined = undefined
  /** The content type a body helper chose while no header Map existed; moved into the Map once one exists. */
  #type: string | undefined = undefined
  /**
   * Headers by lower-cased name. Created on first use: a request awaiting I/O holds no Map until its
   * response is built (less to copy at each young-generation GC with thousands in flight), and a response
   * whose only header is the body helper's Content-Type never builds one.
   */
  get headers(): Map<string, HeaderValue> {
    if (this.#headers === undefined) {
      this.#headers = new Map()
      if (this.#type !== undefined) this.#headers.set('content-type', this.#type)
      this.#type = undefined
    }
    return this.#headers
  }

  /** @internal Sets Content-Type to `type` (a framework constant) unless the response has one. */
  defaultContentType(type: string): void {
    if (this.#headers === undefined) this.#type ??= type
    else if (!this.#headers.has('content-type')) this.#headers.set('content-type', type)
  }

  /** @internal The header Map if one was built (for the cores; reading it builds none). */
  get headerMap(): ReadonlyMap<string, HeaderValue> {
    return this.#headers ?? NO_HEADERS
  }

  /** @internal The helper's Content-Type when it is not in {@link headerMap}. */
  get contentType(): string | undefined {
    return this.#type
  }
  /** The body; `null` for none. */
  body: ResponseBody = null
  /** True once a helper (json/text/send...) or a returned value produced the response. */
  responded = false
  /** The first error thrown while handling this request, if any (kept for the log line). */
  error: Error | undefined = undefined

  /** Clears status, body and the body's own headers (used before an error handler answers). */
  resetForError(): void {
    // A stream that will not be sent must still stop its producer (files, timers, upstream calls).
    if (this.body instanceof StreamBody) this.body.close()
    this.status = 200
    this.statusSet = false
    this.body = null
    this.responded = false
    this.#type = undefined
    this.#headers?.delete('content-type')
    this.#headers?.delete('content-encoding')
  }
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const FORBIDDEN_VALUE = /[\r\n\0]/

/**
 * Checks a header name (an RFC 9110 §5.1 token) and value (no CR, LF or NUL, §5.5), so that nothing a
 * handler sets can split the response or inject another header.
 * @throws HttpError 500 `ERR_INVALID_HEADER` (not exposed to the client).
 */
export function assertValidHeader(name: string, value: string): void {
  if (!TOKEN.test(name)) {
    throw new HttpError(500, `invalid header name ${JSON.stringify(name)}`, { code: ERR.INVALID_HEADER })
  }
  if (FORBIDDEN_VALUE.test(value)) {
    throw new HttpError(500, `invalid value for header "${name}" (CR, LF or NUL)`, {
      code: ERR.INVALID_HEADER,
    })
  }
}

/**
 * Checks every header held for a response. Middleware may fill `ctx.res.headers` directly, bypassing
 * `ctx.header()`; this runs where the response is committed, for every core.
 * @throws HttpError 500 `ERR_INVALID_HEADER` for the first invalid name or value.
 */
export function assertValidHeaders(headers: ReadonlyMap<string, HeaderValue>): void {
  if (headers.size === 0) return
  for (const [name, value] of headers) {
    if (typeof value === 'string') assertValidHeader(name, value)
    else for (const item of value) assertValidHeader(name, item)
  }
}

const STATUS_LINES = new Map<number, string>()

/** `404` → `404 Not Found` (cached). */
export function statusLine(status: number): string {
  let line = STATUS_LINES.get(status)
  if (line === undefined) {
    line = `${status} ${STATUS_CODES[status] ?? 'Unknown'}`
    STATUS_LINES.set(status, line)
  }
  return line
}

/** Statuses that never carry a body (RFC 9110 §15.3.5, §15.4.5; 1xx are interim). */
export function isBodylessStatus(status: number): boolean {
  return status === 204 || status === 304 || status < 200
}

/** Byte length of a body known in full. */
export function bodyLength(body: StaticBody): number {
  if (body === null) return 0
  return typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength
}
