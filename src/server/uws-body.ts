/**
 * Buffers a request body from uWS's onData, up to a limit, or streams it (`stream()`) with backpressure:
 * the socket is paused while the consumer's buffer is full. Uses uWebSockets.js types only; the module
 * itself is loaded by uws.ts alone.
 */
import { Readable } from 'node:stream'
import type { HttpResponse } from 'uWebSockets.js'
import { ERR, HttpError } from '../errors.js'
import type { BodySource } from '../request.js'
import { bodyTooLarge } from './limits.js'

/**
 * Bytes held for a body nobody reads yet; past it the socket is paused until a reader comes (the default
 * body limit is reached first, so this matters only for routes with a higher limit, such as uploads).
 */
const UNREAD_BUFFER = 1024 * 1024

/** The body of one uWS request. */
export class UwsBody implements BodySource {
  complete = false
  #chunks: Buffer[] = []
  #size = 0
  #error: HttpError | undefined
  #waiters: Array<{ resolve: (body: Buffer) => void; reject: (err: HttpError) => void; limit: number }> = []
  #body: Buffer | undefined
  readonly #res: HttpResponse
  #paused = false
  #stream: { readable: Readable; limit: number } | undefined
  readonly #ceiling: number

  /**
   * @param limit - Hard ceiling in bytes (the matched route's body limit, else the app's `limits.body`): past
   *   it the data is dropped, not buffered. Readers asking for more still get no more than this.
   */
  constructor(res: HttpResponse, limit: number) {
    this.#res = res
    this.#ceiling = limit
    // Registered synchronously in the request callback, as uWS requires.
    res.onData((chunk, isLast) => {
      try {
        this.#onData(chunk, isLast, limit)
      } catch {
        // No exception may cross a uWS callback; #onData does not throw, this is belt and braces.
      }
    })
  }

  /** The client went away: the body will never complete, so pending and later reads reject. */
  abort(): void {
    if (this.complete || this.#error) return
    this.#error = new HttpError(400, 'the client closed the connection before the body arrived', {
      code: ERR.CLIENT_ABORTED,
    })
    this.#chunks = []
    for (const waiter of this.#waiters.splice(0)) waiter.reject(this.#error)
    this.#stream?.readable.destroy(this.#error)
  }

  read(limit: number): Promise<Buffer> {
    if (this.#error) return Promise.reject(this.#error)
    if (this.#size > limit) return Promise.reject(bodyTooLarge(limit))
    if (this.#body) return Promise.resolve(this.#body)
    this.#resume()
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject, limit }))
  }

  /**
   * The body as a Readable: what arrived so far, then each chunk as uWS delivers it. While the Readable's
   * buffer is full (the consumer is slower than the client: a slow disk), the socket is paused with
   * `res.pause()` and resumed when the consumer reads again, so memory stays bounded by its highWaterMark
   * plus one socket read. Errors with HttpError 413 past `limit` bytes, 400 `ERR_CLIENT_ABORTED` when the
   * client leaves. Measured on this uWS build: a paused socket is not timed out and gets no onData; a
   * response can still be ended (with close) while paused.
   */
  stream(requested: number): Readable {
    // Code may have raised ctx.req.bodyLimit: the stream still ends at the route's limit.
    const limit = Math.min(requested, this.#ceiling)
    const readable = new Readable({ highWaterMark: 256 * 1024, read: () => this.#resume() })
    const failure = this.#error ?? (this.#size > limit ? bodyTooLarge(limit) : undefined)
    if (failure) {
      readable.destroy(failure)
      return readable
    }
    this.#stream = { readable, limit }
    const held = this.#body ? [this.#body] : this.#chunks
    this.#chunks = []
    for (const chunk of held) readable.push(chunk)
    if (this.complete) readable.push(null)
    return readable
  }

  /** Stops reading from the socket (no exception may escape: `res` may be gone). */
  #pause(): void {
    if (this.#paused || this.complete || this.#error) return
    try {
      this.#res.pause()
      this.#paused = true
    } catch {
      // The response already ended: uWS refuses access to it, and there is nothing left to throttle.
    }
  }

  #resume(): void {
    if (!this.#paused) return
    this.#paused = false
    try {
      this.#res.resume()
    } catch {
      // The response already ended (the connection closes with it).
    }
  }

  /** Stream mode: hand the chunk on, pause when the consumer is behind. */
  #toStream(stream: { readable: Readable; limit: number }, chunk: ArrayBuffer, isLast: boolean): void {
    if (this.#size > stream.limit) {
      this.#error = bodyTooLarge(stream.limit)
      stream.readable.destroy(this.#error)
      return
    }
    // uWS reuses the chunk's memory once this callback returns: copy it now.
    const more = chunk.byteLength === 0 || stream.readable.push(Buffer.copyBytesFrom(new Uint8Array(chunk)))
    if (isLast) {
      this.complete = true
      stream.readable.push(null)
    } else if (!more) {
      this.#pause()
    }
  }

  #onData(chunk: ArrayBuffer, isLast: boolean, limit: number): void {
    if (this.#error) return
    this.#size += chunk.byteLength
    if (this.#stream) return this.#toStream(this.#stream, chunk, isLast)
    if (this.#size > limit) {
      // 413 as soon as the limit is passed; nothing more is kept in memory.
      this.#error = bodyTooLarge(limit)
      this.#chunks = []
      for (const waiter of this.#waiters.splice(0)) waiter.reject(this.#error)
      return
    }
    // uWS reuses the chunk's memory once this callback returns: copy it now.
    if (chunk.byteLength > 0) this.#chunks.push(Buffer.copyBytesFrom(new Uint8Array(chunk)))
    for (const waiter of this.#waiters) {
      if (this.#size > waiter.limit) waiter.reject(bodyTooLarge(waiter.limit))
    }
    this.#waiters = this.#waiters.filter((waiter) => this.#size <= waiter.limit)
    if (!isLast) {
      if (this.#waiters.length === 0 && this.#size > UNREAD_BUFFER) this.#pause()
      return
    }
    this.complete = true
    this.#body = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks)
    this.#chunks = []
    for (const waiter of this.#waiters.splice(0)) waiter.resolve(this.#body)
  }
}
