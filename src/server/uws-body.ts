/**
 * Buffers a request body from uWS's onData, up to a limit. Uses uWebSockets.js types only; the module
 * itself is loaded by uws.ts alone.
 */
import type { HttpResponse } from 'uWebSockets.js'
import { ERR, HttpError } from '../errors.js'
import type { BodySource } from '../request.js'
import { bodyTooLarge } from './limits.js'

/** The body of one uWS request. */
export class UwsBody implements BodySource {
  complete = false
  #chunks: Buffer[] = []
  #size = 0
  #error: HttpError | undefined
  #waiters: Array<{ resolve: (body: Buffer) => void; reject: (err: HttpError) => void; limit: number }> = []
  #body: Buffer | undefined

  /**
   * @param limit - Hard ceiling in bytes (the app's body limit): past it the data is dropped, not buffered.
   */
  constructor(res: HttpResponse, limit: number) {
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
  }

  read(limit: number): Promise<Buffer> {
    if (this.#error) return Promise.reject(this.#error)
    if (this.#size > limit) return Promise.reject(bodyTooLarge(limit))
    if (this.#body) return Promise.resolve(this.#body)
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject, limit }))
  }

  #onData(chunk: ArrayBuffer, isLast: boolean, limit: number): void {
    if (this.#error) return
    this.#size += chunk.byteLength
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
    if (!isLast) return
    this.complete = true
    this.#body = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks)
    this.#chunks = []
    for (const waiter of this.#waiters.splice(0)) waiter.resolve(this.#body)
  }
}
