/**
 * Server-Sent Events (the WHATWG HTML "server-sent events" section): a streamed `text/event-stream`
 * response with id/event/retry fields, heartbeat comments, Last-Event-ID, and cleanup when the client leaves.
 */
import type { Context } from './context.js'
import { StreamBody } from './streaming.js'

/** One event. `data` that is not a string is sent as JSON. */
export interface SseEvent {
  data: unknown
  /** Event type (`event:` field); the client's `addEventListener(type)`. */
  event?: string
  /** Event id (`id:` field); the browser sends it back as `Last-Event-ID` when it reconnects. */
  id?: string
  /** Reconnection delay the client should use, in ms (`retry:` field). */
  retry?: number
}

/** Options for {@link sse}. */
export interface SseOptions {
  /** Interval of heartbeat comments that keep proxies from closing an idle stream, in ms; 0 disables. @default 15000 */
  heartbeatMs?: number
  /** Sent once at the start as `retry:`, in ms. */
  retryMs?: number
  /** Text queued for a slow client beyond which {@link EventStream.send} drops events and returns false, in bytes. @default 1048576 */
  maxQueuedBytes?: number
}

const LINE_BREAK = /[\r\n\0]/

/** An open event stream; also the response body. */
export class EventStream extends StreamBody {
  /** The `Last-Event-ID` header the client reconnected with, if any. */
  readonly lastEventId: string | undefined
  #queue: string[] = []
  #queuedBytes = 0
  #maxQueuedBytes: number
  #wake: (() => void) | undefined
  #ended = false
  #onClose: Array<() => void> = []
  #heartbeat: NodeJS.Timeout | undefined

  /** @internal Use {@link sse}. */
  constructor(lastEventId: string | undefined, options: SseOptions) {
    const pull = (): AsyncIterator<string> => ({
      next: () => this.#pull(),
      return: () => {
        this.#end()
        return Promise.resolve({ done: true, value: undefined })
      },
    })
    super({ [Symbol.asyncIterator]: pull })
    this.lastEventId = lastEventId
    this.#maxQueuedBytes = options.maxQueuedBytes ?? 1024 * 1024
    if (options.retryMs !== undefined) this.#push(`retry: ${Math.floor(options.retryMs)}\n\n`)
    const heartbeatMs = options.heartbeatMs ?? 15_000
    if (heartbeatMs > 0) {
      this.#heartbeat = setInterval(() => this.comment('heartbeat'), heartbeatMs)
      this.#heartbeat.unref()
    }
  }

  /** True once the stream ended (closed by the app, or the client left). */
  get ended(): boolean {
    return this.#ended
  }

  /**
   * Queues an event. Returns false when the stream has ended or the client is too slow (the event is dropped).
   * @throws TypeError when `event` or `id` contains a line break or NUL.
   */
  send(event: SseEvent | string): boolean {
    const e: SseEvent = typeof event === 'string' ? { data: event } : event
    let text = ''
    if (e.event !== undefined) text += `event: ${checked('event', e.event)}\n`
    if (e.id !== undefined) text += `id: ${checked('id', e.id)}\n`
    if (e.retry !== undefined) text += `retry: ${Math.floor(e.retry)}\n`
    const data = typeof e.data === 'string' ? e.data : JSON.stringify(e.data)
    for (const line of data.split(/\r\n|\r|\n/)) text += `data: ${line}\n`
    return this.#push(`${text}\n`)
  }

  /** Sends a comment line (ignored by clients; keeps the connection alive). */
  comment(text = ''): boolean {
    return this.#push(`: ${text.replace(/[\r\n]/g, ' ')}\n\n`)
  }

  /** Stops the stream from the core's side (the client left, or it will never be sent). */
  override close(): void {
    this.#end()
    super.close()
  }

  /** Runs `callback` once when the stream ends, whoever ended it. */
  onClose(callback: () => void): void {
    if (this.#ended) callback()
    else this.#onClose.push(callback)
  }

  /** Ends the stream: the response completes once the queued events are written. */
  end(): void {
    if (this.#ended) return
    this.#stop()
    this.#wake?.()
  }

  #push(text: string): boolean {
    if (this.#ended || this.#queuedBytes + text.length > this.#maxQueuedBytes) return false
    this.#queue.push(text)
    this.#queuedBytes += text.length
    this.#wake?.()
    return true
  }

  async #pull(): Promise<IteratorResult<string>> {
    while (this.#queue.length === 0) {
      if (this.#ended) return { done: true, value: undefined }
      await new Promise<void>((resolve) => (this.#wake = resolve))
      this.#wake = undefined
    }
    // Everything queued goes out as one chunk: fewer writes for bursts of events.
    const value = this.#queue.join('')
    this.#queue = []
    this.#queuedBytes = 0
    return { done: false, value }
  }

  /** The core closed the stream (the client left, or the response ended). */
  #end(): void {
    this.#queue = []
    this.#stop()
    this.#wake?.()
  }

  #stop(): void {
    if (this.#ended) return
    this.#ended = true
    clearInterval(this.#heartbeat)
    for (const callback of this.#onClose.splice(0)) {
      try {
        callback()
      } catch {
        // A failing cleanup callback must not prevent the others.
      }
    }
  }
}

function checked(field: string, value: string): string {
  if (LINE_BREAK.test(value)) throw new TypeError(`SSE ${field} must not contain line breaks or NUL`)
  return value
}

/**
 * Starts a Server-Sent Events response on `ctx` and returns the stream to send events on. Sets
 * `content-type: text/event-stream`, `cache-control: no-cache` and `x-accel-buffering: no` (nginx), so
 * nothing buffers or compresses it. When the client leaves, the stream ends and `onClose` callbacks run.
 *
 * @example
 * app.get('/events', (ctx) => {
 *   const stream = sse(ctx)
 *   const timer = setInterval(() => stream.send({ event: 'tick', data: { now: Date.now() } }), 1000)
 *   stream.onClose(() => clearInterval(timer))
 * })
 */
export function sse(ctx: Context<object, object>, options: SseOptions = {}): EventStream {
  const stream = new EventStream(ctx.headers['last-event-id'], options)
  ctx.header('cache-control', 'no-cache').header('x-accel-buffering', 'no')
  ctx.stream(stream, { type: 'text/event-stream; charset=utf-8' })
  return stream
}
