/**
 * Streamed response bodies: any async iterable of bytes or text (Node Readables and web ReadableStreams are
 * both async iterable). The core pulls one chunk at a time and waits for the socket to drain before the next
 * (backpressure); when the client leaves it stops pulling and closes the source, which ends the producer
 * (an async generator's `finally`, a Readable's destroy, a ReadableStream's cancel).
 */
import { Readable } from 'node:stream'

/** A chunk a stream may yield. */
export type StreamChunk = Uint8Array | string

/** Options for a streamed body. */
export interface StreamOptions {
  /** Total length in bytes when known: sent as Content-Length. Otherwise the body is sent chunked. */
  length?: number
}

/** A response body produced over time. Set through `ctx.stream()` or by returning a stream from a handler. */
export class StreamBody {
  /** Total length in bytes, when known. */
  readonly length: number | undefined
  readonly #source: AsyncIterable<StreamChunk>
  #iterator: AsyncIterator<StreamChunk> | undefined
  #closed = false

  constructor(source: AsyncIterable<StreamChunk>, options: StreamOptions = {}) {
    this.#source = source
    this.length = options.length
  }

  /** The next chunk as bytes, or undefined at the end. Called by one core, one chunk at a time. */
  async next(): Promise<Uint8Array | undefined> {
    if (this.#closed) return undefined
    this.#iterator ??= this.#source[Symbol.asyncIterator]()
    const step = await this.#iterator.next()
    if (step.done) {
      this.#closed = true
      return undefined
    }
    const chunk = step.value
    return typeof chunk === 'string' ? Buffer.from(chunk) : chunk
  }

  /**
   * Stops the producer: calls the iterator's `return()` (or destroys a Readable that was never iterated).
   * Safe to call more than once and while a `next()` is pending. Never throws.
   */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    if (this.#source instanceof Readable) this.#source.destroy()
    const iterator = this.#iterator
    if (iterator?.return) iterator.return().catch(() => undefined)
    else if (!iterator) void closeUnstarted(this.#source)
  }

  /** Reads the whole stream into one buffer (used by `inject`). */
  async collect(): Promise<Buffer> {
    const chunks: Uint8Array[] = []
    for (let chunk = await this.next(); chunk; chunk = await this.next()) chunks.push(chunk)
    return Buffer.concat(chunks)
  }
}

/** A web ReadableStream that nobody iterated still holds its source: cancel it. */
async function closeUnstarted(source: AsyncIterable<StreamChunk>): Promise<void> {
  const cancel = (source as { cancel?: () => Promise<void> }).cancel
  if (typeof cancel === 'function') await cancel.call(source).catch(() => undefined)
}

/**
 * True for values a handler may return as a streamed body: Node Readables, web ReadableStreams, async
 * generators and any other async iterable (but not strings or buffers).
 */
export function isStreamSource(value: unknown): value is AsyncIterable<StreamChunk> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
  )
}
