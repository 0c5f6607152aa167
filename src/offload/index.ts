/**
 * CPU offload: a bounded worker-thread pool (piscina) for work that would otherwise block the event loop
 * (hashing, image resizing, big JSON transforms). Async helps I/O, not CPU: a 50 ms computation inline
 * stalls every other request for 50 ms; offloaded, the loop keeps answering.
 */
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import type { TransferListItem } from 'node:worker_threads'
import type * as PiscinaModule from 'piscina'
import type { Piscina } from 'piscina'
import { ERR, HttpError } from '../errors.js'
import { lazyRequire } from '../lazy.js'

/** piscina (~8 MB of RSS) is loaded by the first pool created, not when Swiftlet is imported. */
const loadPiscina = lazyRequire<typeof PiscinaModule>('piscina')

/** Options for {@link createOffloadPool}. */
export interface OffloadPoolOptions {
  /**
   * The worker module: a path or `file:` URL (`new URL('./tasks.js', import.meta.url)`). Each named export
   * is a task (`export function sha256(payload) {...}`), run by {@link OffloadPool.run} by name. Tasks
   * receive the payload (structured-cloned) and may return a value or a promise.
   */
  filename: string | URL
  /** Worker threads, at most. @default `availableParallelism() - 1`, at least 1 */
  threads?: number
  /** Worker threads kept alive when idle. @default 1 */
  minThreads?: number
  /**
   * Tasks that may wait for a free thread, beyond the `threads` running ones. One more is refused with 503
   * (counted here, so the bound holds while threads are still starting). @default `threads * 4`
   */
  maxQueue?: number
  /** `Retry-After` of the 503 sent when the queue is full, in seconds. @default 1 */
  retryAfterS?: number
  /** An idle thread above `minThreads` exits after this many ms. @default 30000 */
  idleTimeoutMs?: number
  /**
   * Node flags for the worker threads. Workers do not go through a test runner's transform: a `.ts` worker
   * needs `['--import', 'tsx']` (tsx installed); compiled `.js` and `.mjs` workers need nothing.
   * @default the process's own `execArgv`
   */
  execArgv?: string[]
}

/** Options for one {@link OffloadPool.run}. */
export interface OffloadRunOptions {
  /**
   * Cancels the task (pass `ctx.signal`). A queued task is removed from the queue; a running one cannot be
   * interrupted inside its thread, so that thread is terminated and replaced. Either way the promise
   * rejects with an `AbortError`.
   */
  signal?: AbortSignal
  /** ArrayBuffers to move to the worker instead of copying. */
  transferList?: TransferListItem[]
}

/** A snapshot of the pool, for metrics and health checks. */
export interface OffloadPoolStats {
  /** Worker threads alive. */
  threads: number
  /** Tasks waiting for a thread. */
  queued: number
  /** Tasks running or waiting: at most `threads + maxQueue`. */
  outstanding: number
  /** Tasks finished since start, failed and cancelled ones included. */
  completed: number
  /** Share of the time the threads were busy, 0-1. */
  utilization: number
}

const QUEUE_FULL = new Set(['Task queue is at limit', 'No task queue available and all Workers are busy'])

/** A bounded worker pool; create one per app with {@link createOffloadPool} and close it on shutdown. */
export class OffloadPool {
  readonly #pool: Piscina
  readonly #retryAfter: string
  /** Tasks running or queued, and how many of them are allowed (threads + maxQueue). */
  #outstanding = 0
  readonly #capacity: number

  /** @internal Use {@link createOffloadPool}. */
  constructor(options: OffloadPoolOptions) {
    const threads = options.threads ?? Math.max(1, availableParallelism() - 1)
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError('offload: threads must be >= 1')
    const maxQueue = options.maxQueue ?? threads * 4
    if (!Number.isInteger(maxQueue) || maxQueue < 0) throw new RangeError('offload: maxQueue must be >= 0')
    const filename = options.filename
    this.#pool = new (loadPiscina().Piscina)({
      filename: filename instanceof URL ? fileURLToPath(filename) : filename,
      maxThreads: threads,
      minThreads: Math.min(options.minThreads ?? 1, threads),
      // The bound is ours (#capacity, counted the same whether threads are up or still starting); piscina's
      // own queue limit only backs it up.
      maxQueue: maxQueue + threads,
      idleTimeout: options.idleTimeoutMs ?? 30_000,
      ...(options.execArgv ? { execArgv: options.execArgv } : {}),
    })
    this.#retryAfter = String(options.retryAfterS ?? 1)
    this.#capacity = threads + maxQueue
  }

  /**
   * Runs the exported function `task` of the worker module with `payload` in a worker thread.
   * @returns What the task returned (structured-cloned back).
   * @throws HttpError 503 `ERR_SERVICE_UNAVAILABLE` with `Retry-After` when the queue is full; an
   *   `AbortError` when `options.signal` fired; whatever the task threw.
   */
  async run<T = unknown>(task: string, payload?: unknown, options: OffloadRunOptions = {}): Promise<T> {
    if (this.#outstanding >= this.#capacity) throw this.#busy()
    this.#outstanding++
    try {
      return (await this.#pool.run(payload, {
        name: task,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.transferList ? { transferList: options.transferList } : {}),
      })) as T
    } catch (err) {
      throw err instanceof Error && QUEUE_FULL.has(err.message) ? this.#busy(err) : err
    } finally {
      this.#outstanding--
    }
  }

  #busy(cause?: Error): HttpError {
    return new HttpError(503, 'server busy: the offload queue is full', {
      code: ERR.SERVICE_UNAVAILABLE,
      headers: { 'retry-after': this.#retryAfter },
      expose: true,
      cause,
    })
  }

  /** Threads, queue length and utilization right now. */
  stats(): OffloadPoolStats {
    const pool = this.#pool
    return {
      threads: pool.threads.length,
      queued: pool.queueSize,
      outstanding: this.#outstanding,
      completed: pool.completed,
      utilization: pool.utilization,
    }
  }

  /**
   * Stops the threads. Queued and running tasks reject (`AbortError`). Call from `app.onShutdown()`, which
   * runs after in-flight requests drained.
   */
  close(): Promise<void> {
    return this.#pool.destroy()
  }
}

/**
 * Creates a bounded worker pool for CPU-heavy work.
 * @example
 * ```ts
 * const pool = createOffloadPool({ filename: new URL('./tasks.js', import.meta.url), maxQueue: 64 })
 * app.get('/hash/:n', (ctx) => pool.run('hash', { rounds: Number(ctx.params.n) }, { signal: ctx.signal }))
 * app.onShutdown(() => pool.close())
 * ```
 * @throws RangeError for a `threads` or `maxQueue` that is not a positive (non-negative) integer.
 */
export function createOffloadPool(options: OffloadPoolOptions): OffloadPool {
  return new OffloadPool(options)
}

/** True for the rejection of a task cancelled through its AbortSignal (or by {@link OffloadPool.close}). */
export function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError'
}
