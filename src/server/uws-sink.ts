/**
 * Writes a finished response to a uWS HttpResponse. Uses uWebSockets.js types only; the module itself is
 * loaded by uws.ts alone.
 */
import type { HttpResponse } from 'uWebSockets.js'
import { INTERNAL_ERROR_BODY } from '../error-response.js'
import type { Logger } from '../logger.js'
import type { RemoteAddressSource } from '../request.js'
import type { InFlight } from './in-flight.js'
import { StreamBody } from '../streaming.js'
import { UwsStreamer } from './uws-stream.js'
import {
  bodyLength,
  isBodylessStatus,
  statusLine,
  type OutgoingResponse,
  type ResponseSink,
  type HeaderValue,
  type StaticBody,
} from '../response.js'

/** Bodies above this many bytes go out through tryEnd/onWritable, honouring backpressure. */
const LARGE_BODY = 64 * 1024

/** The ResponseSink of one uWS request. */
export class UwsSink implements ResponseSink, RemoteAddressSource {
  aborted = false
  #done = false
  #forceClose = false
  #onAbort: (() => void) | undefined
  #stream: UwsStreamer | undefined
  #body: { abort(): void } | undefined
  /** True until the core's request callback returns: uWS corks the socket for the callback's duration. */
  #inCallback = true
  readonly #res: HttpResponse
  readonly #owner: InFlight
  readonly #log: Logger

  constructor(res: HttpResponse, owner: InFlight, log: Logger) {
    this.#res = res
    this.#owner = owner
    this.#log = log
  }

  /**
   * Marks the end of the request callback (later writes need a cork) and registers onAborted unless the
   * response already ended. Called by the core as its request callback returns: a response finished after that callback without onAborted terminates the process when the
   * client has gone, and with it we know never to touch `res` again. A response answered synchronously
   * (inside the callback) needs none, which saves a native call per request.
   */
  armAbort(): void {
    this.#inCallback = false
    if (this.#done) return
    this.#res.onAborted(() => {
      this.aborted = true
      this.#finish()
      // A streamed body: stop the producer and wake a write waiting for the socket to drain.
      this.#stream?.abort()
      try {
        // A body that will never complete must not leave its reader waiting forever.
        this.#body?.abort()
        this.#onAbort?.()
      } catch (err) {
        this.#log.error({ err }, 'abort listener failed')
      }
    })
  }

  /** The client's address as text; '' once `res` may no longer be touched. */
  remoteAddress(): string {
    return this.usable ? Buffer.from(this.#res.getRemoteAddressAsText()).toString() : ''
  }

  /** True while `res` may be touched: not aborted, not yet ended. */
  get usable(): boolean {
    return !this.aborted && !this.#done
  }

  onAbort(callback: () => void): void {
    this.#onAbort = callback
  }

  /** Ties the request body to this response: when the client goes, pending reads are rejected. */
  attachBody<B extends { abort(): void }>(body: B): B {
    this.#body = body
    return body
  }

  /** Closes the connection after the response, whatever the pipeline decides (broken request framing). */
  closeAfterResponse(): void {
    this.#forceClose = true
  }

  send(response: OutgoingResponse): void | Promise<void> {
    const { body } = response
    if (this.aborted || this.#done) {
      if (body instanceof StreamBody) body.close()
      return
    }
    // uWS writes header names and values verbatim, CR/LF/NUL included (upstream #1299): the App checks
    // every header before calling send(), for all cores alike (see App#commit).
    if (body instanceof StreamBody) return this.#streamer().send(response, body)
    // Inside the request callback uWS has the socket corked already; writes made after an await must be
    // corked, or each write becomes its own syscall and packet.
    if (this.#inCallback) this.#write(response, body)
    else this.#res.cork(() => this.#write(response, body))
  }

  #streamer(): UwsStreamer {
    const close = (): void => {
      this.#finish()
      this.#res.close()
    }
    const streamer = new UwsStreamer(this.#res, this.#log, {
      writeHead: (response, chunked) => this.#writeHead(response, chunked),
      finish: () => this.#finish(),
      isGone: () => this.aborted || this.#done,
      close,
    })
    this.#stream = streamer
    return streamer
  }

  /** Last resort when the pipeline itself could not run: a bare 500, then close. */
  fail(): void {
    if (this.aborted || this.#done) return
    this.#res.cork(() => {
      this.#res.writeStatus(statusLine(500)).writeHeader('content-type', 'application/json; charset=utf-8')
      this.#finish()
      this.#res.end(INTERNAL_ERROR_BODY, true)
    })
  }

  /** Writes the status line and headers; true when the connection is to be closed after the response. */
  #writeHead({ status, headers, contentType, close }: OutgoingResponse, closeHeader: boolean): boolean {
    const res = this.#res
    // uWS writes `200 OK` itself when no status was written: one native call less for most responses.
    if (status !== 200) res.writeStatus(statusLine(status))
    if (contentType !== undefined) res.writeHeader('content-type', contentType)
    if (headers.size > 0) this.#writeHeaders(headers)
    const closing = close || this.#forceClose
    if (closing && closeHeader) res.writeHeader('connection', 'close')
    return closing
  }

  #writeHeaders(headers: ReadonlyMap<string, HeaderValue>): void {
    const res = this.#res
    for (const [name, value] of headers) {
      // uWS frames the body itself: a Content-Length or Transfer-Encoding from the app would be a second,
      // conflicting framing header.
      if (name === 'content-length' || name === 'transfer-encoding') continue
      if (typeof value === 'string') res.writeHeader(name, value)
      else for (const item of value) res.writeHeader(name, item)
    }
  }

  #write(response: OutgoingResponse, body: StaticBody): void {
    const res = this.#res
    const { status, head } = response
    const bodyless = isBodylessStatus(status) || head
    const large = isLarger(body, LARGE_BODY)
    // end(body, true) writes its own Connection: close; bodyless and large responses need the header.
    const close = this.#writeHead(response, bodyless || large)
    if (bodyless) {
      // end() always adds a Content-Length, even on 204; endWithoutBody() with no argument sends none
      // (and endWithoutBody(n) aborted the process in a probe: never pass it a length).
      if (head && !isBodylessStatus(status)) res.writeHeader('content-length', String(bodyLength(body)))
      this.#finish()
      res.endWithoutBody()
      return
    }
    if (!large) {
      this.#finish()
      res.end(body ?? '', close)
      return
    }
    this.#streamLarge(typeof body === 'string' ? Buffer.from(body) : (body as Uint8Array))
  }

  /** tryEnd with onWritable: send what the socket takes, resume when it drains (backpressure). */
  #streamLarge(bytes: Uint8Array): void {
    const res = this.#res
    const total = bytes.byteLength
    const start = res.getWriteOffset()
    const [, done] = res.tryEnd(bytes, total)
    if (done) return this.#finish()
    res.onWritable((offset) => {
      if (this.aborted) return true
      const [ok, finished] = res.tryEnd(bytes.subarray(offset - start), total)
      if (finished) this.#finish()
      return ok
    })
  }

  /** Marks the response finished (ended or aborted) exactly once. */
  #finish(): void {
    if (this.#done) return
    this.#done = true
    this.#owner.released()
  }
}

/** True when `body` is over `limit` bytes; a short string is known not to be without counting its UTF-8. */
function isLarger(body: StaticBody, limit: number): boolean {
  if (typeof body === 'string' && body.length * 3 <= limit) return false
  return bodyLength(body) > limit
}
