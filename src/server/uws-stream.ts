/**
 * Streams a StreamBody to a uWS HttpResponse: one chunk at a time, waiting for the socket to drain
 * (onWritable) before pulling the next one, so a slow reader never makes the server buffer the body.
 * Uses uWebSockets.js types only; the module itself is loaded by uws.ts alone.
 */
import type { HttpResponse } from 'uWebSockets.js'
import type { Logger } from '../logger.js'
import { isBodylessStatus, type OutgoingResponse } from '../response.js'
import type { StreamBody } from '../streaming.js'

/** What the streamer needs from its sink. */
export interface StreamHooks {
  /** Writes status and headers; returns true when the connection closes after the response. */
  writeHead(response: OutgoingResponse, closeHeader: boolean): boolean
  /** The response is complete (ended). */
  finish(): void
  /** True once the client left or the response ended: never touch `res` then. */
  isGone(): boolean
  /** Force-closes the connection (a failed or short stream: the framing cannot be completed). */
  close(): void
}

/** Sends one streamed response. */
export class UwsStreamer {
  readonly #res: HttpResponse
  readonly #log: Logger
  readonly #hooks: StreamHooks
  #body: StreamBody | undefined
  #wake: (() => void) | undefined

  constructor(res: HttpResponse, log: Logger, hooks: StreamHooks) {
    this.#res = res
    this.#log = log
    this.#hooks = hooks
  }

  /** The client left: stop the producer and release a pending wait for the socket to drain. */
  abort(): void {
    this.#body?.close()
    this.#wake?.()
  }

  /** Streams `body`; resolves when it ended, failed or the client left. Never rejects. */
  async send(response: OutgoingResponse, body: StreamBody): Promise<void> {
    this.#body = body
    try {
      if (response.head || isBodylessStatus(response.status)) return this.#headOnly(response, body)
      // The headers go out with the first chunk: until then an error can still become a proper response.
      const first = await body.next()
      if (this.#hooks.isGone()) return
      if (body.length === undefined) await this.#chunked(response, body, first)
      else await this.#sized(response, body, first, body.length)
    } catch (err) {
      // Headers are on the wire: all that is left is to cut the connection so the client sees the failure.
      this.#log.error({ err }, 'streamed response failed; closing the connection')
      if (!this.#hooks.isGone()) this.#hooks.close()
    } finally {
      body.close()
    }
  }

  #headOnly(response: OutgoingResponse, body: StreamBody): void {
    body.close()
    this.#res.cork(() => {
      this.#hooks.writeHead(response, true)
      if (response.head && !isBodylessStatus(response.status) && body.length !== undefined) {
        this.#res.writeHeader('content-length', String(body.length))
      }
      this.#hooks.finish()
      this.#res.endWithoutBody()
    })
  }

  /**
   * Unknown length: chunked transfer coding through write(), then end(). uWS rule, measured: while an
   * onWritable handler is registered, uWS drains its buffer only through writes made *inside* that
   * handler (a handler that writes nothing and a write made later stall the response). So after a write
   * reports backpressure, the next chunk is written from within onWritable.
   */
  async #chunked(response: OutgoingResponse, body: StreamBody, first: Uint8Array | undefined): Promise<void> {
    const res = this.#res
    let closing = false
    res.cork(() => {
      closing = this.#hooks.writeHead(response, false)
    })
    let drained = true
    for (let chunk = first; chunk !== undefined; chunk = await body.next()) {
      if (this.#hooks.isGone()) return
      const data = chunk
      if (drained) {
        // Every write after an await is corked.
        res.cork(() => {
          drained = res.write(data)
        })
      } else {
        drained = await this.#whenWritable(() => res.write(data))
      }
    }
    if (this.#hooks.isGone()) return
    const end = (): boolean => {
      this.#hooks.finish()
      res.end(undefined, closing)
      return true
    }
    if (drained) res.cork(end)
    else await this.#whenWritable(end)
  }

  /** Known length: tryEnd keeps the Content-Length framing; what the socket did not take is retried. */
  async #sized(response: OutgoingResponse, body: StreamBody, first: Uint8Array | undefined, total: number) {
    const res = this.#res
    res.cork(() => {
      this.#hooks.writeHead(response, true)
    })
    for (let chunk = first; chunk !== undefined; chunk = await body.next()) {
      if (this.#hooks.isGone()) return
      const data = chunk
      let start = 0
      let taken: [boolean, boolean] = [false, false]
      res.cork(() => {
        start = res.getWriteOffset()
        taken = res.tryEnd(data, total)
      })
      // Not all taken: the rest goes out from within onWritable, from the offset uWS reports.
      while (!taken[0] && !taken[1]) {
        taken = await this.#whenWritable((offset) => res.tryEnd(data.subarray(offset - start), total))
        if (this.#hooks.isGone()) return
      }
      if (taken[1]) return this.#hooks.finish()
    }
    // The producer ended before the declared length: the response cannot be completed.
    this.#log.warn({ total }, 'stream ended before its declared length; closing the connection')
    if (!this.#hooks.isGone()) this.#hooks.close()
  }

  /**
   * Runs `write` inside the next onWritable call and resolves with its result. One handler at a time; a
   * handler called again after it ran (before the next one replaced it) writes nothing.
   */
  #whenWritable<T extends boolean | [boolean, boolean]>(write: (offset: number) => T): Promise<T> {
    return new Promise((resolve) => {
      let used = false
      // The client left: callers check isGone() right after the await and never read this value.
      this.#wake = () => resolve(undefined as unknown as T)
      this.#res.onWritable((offset) => {
        if (used) return true
        used = true
        this.#wake = undefined
        const result = write(offset)
        // Continue on a later turn: microtasks queued here would run while uWS is still inside its
        // writable event, and writes made there stalled the response in a probe.
        setImmediate(() => resolve(result))
        return Array.isArray(result) ? result[0] : result
      })
    })
  }
}
