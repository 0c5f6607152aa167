/**
 * Writes a finished response to a uWS HttpResponse. Uses uWebSockets.js types only; the module itself is
 * loaded by uws.ts alone.
 */
import type { HttpResponse } from 'uWebSockets.js'
import type { Logger } from '../logger.js'
import {
  assertValidHeader,
  bodyLength,
  isBodylessStatus,
  statusLine,
  type OutgoingResponse,
  type ResponseSink,
} from '../response.js'

/** Bodies above this many bytes go out through tryEnd/onWritable, honouring backpressure. */
const LARGE_BODY = 64 * 1024

/** What the sink reports to its server. */
export interface SinkOwner {
  released(): void
}

/** The ResponseSink of one uWS request. */
export class UwsSink implements ResponseSink {
  aborted = false
  #done = false
  #onAbort: (() => void) | undefined
  readonly #res: HttpResponse
  readonly #owner: SinkOwner
  readonly #log: Logger

  constructor(res: HttpResponse, owner: SinkOwner, log: Logger) {
    this.#res = res
    this.#owner = owner
    this.#log = log
    // First thing on every request: without onAborted, a response finished after an await terminates
    // the process when the client has gone; with it, we know never to touch `res` again.
    res.onAborted(() => {
      this.aborted = true
      this.#finish()
      try {
        this.#onAbort?.()
      } catch (err) {
        this.#log.error({ err }, 'abort listener failed')
      }
    })
  }

  onAbort(callback: () => void): void {
    this.#onAbort = callback
  }

  send(response: OutgoingResponse): void {
    if (this.aborted || this.#done) return
    // uWS writes header names and values verbatim, CR/LF/NUL included (upstream #1299). ctx.header()
    // checks them, but middleware may fill ctx.res.headers directly: check again where the bytes leave,
    // or one bad value splits the response.
    const invalid = invalidHeader(response.headers)
    if (invalid) {
      this.#log.error({ err: invalid }, 'response header not valid on the wire; answering 500 instead')
      return this.fail()
    }
    // Writes made after an await must be corked, or each write becomes its own syscall and packet.
    this.#res.cork(() => this.#write(response))
  }

  /** Last resort when the pipeline itself could not run: a bare 500, then close. */
  fail(): void {
    if (this.aborted || this.#done) return
    this.#res.cork(() => {
      this.#res.writeStatus(statusLine(500)).writeHeader('content-type', 'application/json; charset=utf-8')
      this.#finish()
      this.#res.end('{"status":500,"code":"ERR_INTERNAL","message":"Internal Server Error"}', true)
    })
  }

  #write({ status, headers, body, head, close }: OutgoingResponse): void {
    const res = this.#res
    res.writeStatus(statusLine(status))
    for (const [name, value] of headers) {
      // uWS frames the body itself: a Content-Length or Transfer-Encoding from the app would be a second,
      // conflicting framing header.
      if (name === 'content-length' || name === 'transfer-encoding') continue
      if (typeof value === 'string') res.writeHeader(name, value)
      else for (const item of value) res.writeHeader(name, item)
    }
    if (isBodylessStatus(status) || head) {
      // end() always adds a Content-Length, even on 204; endWithoutBody() with no argument sends none
      // (and endWithoutBody(n) aborted the process in a probe: never pass it a length).
      if (head && !isBodylessStatus(status)) res.writeHeader('content-length', String(bodyLength(body)))
      if (close) res.writeHeader('connection', 'close')
      this.#finish()
      res.endWithoutBody()
      return
    }
    const bytes = body ?? ''
    if (bodyLength(bytes) <= LARGE_BODY) {
      this.#finish()
      res.end(bytes, close)
      return
    }
    this.#streamLarge(typeof bytes === 'string' ? Buffer.from(bytes) : bytes, close)
  }

  /** tryEnd with onWritable: send what the socket takes, resume when it drains (backpressure). */
  #streamLarge(bytes: Uint8Array, close: boolean): void {
    const res = this.#res
    const total = bytes.byteLength
    if (close) res.writeHeader('connection', 'close')
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

/** The error for the first header whose name or value cannot be written safely, or undefined. */
function invalidHeader(headers: OutgoingResponse['headers']): Error | undefined {
  try {
    for (const [name, value] of headers) {
      if (typeof value === 'string') assertValidHeader(name, value)
      else for (const item of value) assertValidHeader(name, item)
    }
    return undefined
  } catch (err) {
    return err as Error
  }
}
