/**
 * The primary side of `listen({ workers })`: resolves the port, forks one process per worker (node:cluster,
 * which re-runs the entry script, so each worker builds its own App), waits until every worker listens,
 * restarts a worker that dies (with backoff), and on close asks each worker to drain and exit, killing
 * the ones still running after the deadline.
 */
import cluster, { type Worker } from 'node:cluster'
import { createServer, type AddressInfo } from 'node:net'
import { availableParallelism } from 'node:os'
import { ERR } from '../errors.js'
import type { Logger } from '../logger.js'
import { isSwiftletMessage, WORKER_ENV, type PrimaryMessage, type WorkerMessage } from './cluster-role.js'
import type { ListenInfo, ListenOptions } from './lifecycle.js'

/** How long a worker may take from fork to `listening`, in ms (tsx compiling the sources included). */
const START_TIMEOUT_MS = 60_000
/** Time added to the drain deadline for shutdown hooks and process exit, in ms. */
const EXIT_MARGIN_MS = 5_000
/** Restart backoff: 100 ms doubling per consecutive crash, at most 10 s. */
const BACKOFF_MS = { first: 100, max: 10_000 }
/** A worker that served this long before it died starts a new backoff series, in ms. */
const STABLE_MS = 10_000
/** Upper bound of `workers`: a typo must not fork thousands of processes. */
const MAX_WORKERS = 256

/** @internal The number of workers for `listen({ workers })`. @throws RangeError for anything else. */
export function workerCount(workers: number | 'auto'): number {
  if (workers === 'auto') return availableParallelism()
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
    throw Object.assign(
      new RangeError(
        `listen({ workers }) must be 'auto' or an integer from 1 to ${MAX_WORKERS} (got ${workers})`,
      ),
      { code: ERR.INVALID_LISTEN_OPTIONS },
    )
  }
  return workers
}

/**
 * Binds `host:port` once, exclusively, and releases it: a busy port fails here (as it does without workers)
 * instead of being silently shared through SO_REUSEPORT, and port 0 becomes one free port for every worker.
 */
async function resolvePort(host: string, port: number): Promise<number> {
  const probe = createServer()
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject)
      probe.listen({ host, port, exclusive: true }, resolve)
    })
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err)
    throw Object.assign(new Error(`could not listen on ${host}:${port}: ${reason}`), {
      code: ERR.LISTEN_FAILED,
    })
  }
  const resolved = (probe.address() as AddressInfo).port
  await new Promise((resolve) => probe.close(resolve))
  return resolved
}

interface Slot {
  id: number
  worker: Worker | undefined
  /** When the current worker reported `listening` (0 before). */
  listeningAt: number
  crashes: number
  restart: NodeJS.Timeout | undefined
}

/** @internal The primary's set of workers. */
export class WorkerPool {
  readonly info: ListenInfo
  readonly #log: Logger
  readonly #slots: Slot[]
  readonly #env: Record<string, string>
  #started = false
  #closing = false

  private constructor(info: ListenInfo, count: number, log: Logger) {
    this.info = info
    this.#log = log
    this.#env = { [WORKER_ENV.port]: String(info.port) }
    this.#slots = Array.from({ length: count }, (_, i) => ({
      id: i + 1,
      worker: undefined,
      listeningAt: 0,
      crashes: 0,
      restart: undefined,
    }))
  }

  /**
   * Forks the workers and resolves once every one of them listens.
   * @throws RangeError for a bad `workers`; Error `ERR_LISTEN_FAILED` when the port is busy; the first
   *   worker's startup error (its message and code), or `ERR_WORKER_EXITED`, after stopping the others.
   */
  static async start(options: ListenOptions, log: Logger): Promise<WorkerPool> {
    const count = workerCount(options.workers ?? 1)
    if (process.argv[1] === undefined) {
      throw new Error('listen({ workers }) re-runs the entry script in each worker: run a script file')
    }
    const host = options.host ?? '127.0.0.1'
    const port = await resolvePort(host, options.port ?? (Number(process.env.PORT) || 3000))
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
    const pool = new WorkerPool({ host, port, url, core: '', workers: count, pids: [] }, count, log)
    try {
      const infos = await Promise.all(pool.#slots.map((slot) => pool.#fork(slot)))
      pool.info.core = infos[0]?.core ?? ''
      pool.info.url = infos[0]?.url ?? url // https:// with tls
      pool.info.pids = pool.#slots.map((slot) => slot.worker?.process.pid ?? 0)
      pool.#started = true
    } catch (err) {
      await pool.close(0)
      throw err
    }
    return pool
  }

  /** Forks the worker of `slot`; resolves with its ListenInfo, rejects if it fails or exits first. */
  #fork(slot: Slot): Promise<ListenInfo> {
    const worker = cluster.fork({ ...this.#env, [WORKER_ENV.id]: String(slot.id) })
    slot.worker = worker
    slot.listeningAt = 0
    // A send to a worker that just died emits 'error'; unhandled, it would crash the primary.
    worker.on('error', (err) => this.#log.debug({ err, worker: slot.id }, 'worker IPC error'))
    worker.on('exit', (code, signal) => this.#onExit(slot, worker, code, signal))
    return new Promise<ListenInfo>((resolve, reject) => {
      const timer = setTimeout(() => {
        fail(new Error(`worker ${slot.id} did not listen within ${START_TIMEOUT_MS} ms`), ERR.WORKER_EXITED)
        worker.process.kill('SIGKILL')
      }, START_TIMEOUT_MS)
      const onMessage = (message: unknown): void => {
        if (!isSwiftletMessage(message)) return
        const m = message as WorkerMessage
        if (m.swiftlet === 'listening') {
          done()
          slot.listeningAt = Date.now()
          resolve(m.info)
        } else if (m.swiftlet === 'failed') {
          fail(new Error(`worker ${slot.id}: ${m.message}`), m.code)
        }
      }
      const onExit = (code: number | null, signal: string | null): void =>
        fail(
          new Error(`worker ${slot.id} exited (code ${code}, signal ${signal}) before listening`),
          ERR.WORKER_EXITED,
        )
      const fail = (err: Error, code: string | undefined): void => {
        done()
        reject(Object.assign(err, { code: code ?? ERR.WORKER_EXITED }))
      }
      const done = (): void => {
        clearTimeout(timer)
        worker.off('message', onMessage)
        worker.off('exit', onExit)
      }
      worker.on('message', onMessage)
      worker.on('exit', onExit)
    })
  }

  #onExit(slot: Slot, worker: Worker, code: number | null, signal: string | null): void {
    if (slot.worker !== worker) return
    slot.worker = undefined
    const pid = worker.process.pid
    if (this.#closing) {
      const line = { worker: slot.id, workerPid: pid, code, signal }
      if (code === 0) this.#log.info(line, 'worker exited')
      else this.#log.warn(line, 'worker exited with an error during shutdown')
      return
    }
    // During start() a failure fails listen() instead.
    if (!this.#started) return
    if (slot.listeningAt !== 0 && Date.now() - slot.listeningAt >= STABLE_MS) slot.crashes = 0
    const restartInMs = Math.min(BACKOFF_MS.first * 2 ** slot.crashes, BACKOFF_MS.max)
    slot.crashes++
    // Exit code 0 is a worker that closed on purpose (`kill -TERM <worker pid>`, app.close() in it): a warning.
    this.#log[code === 0 ? 'warn' : 'error'](
      { worker: slot.id, workerPid: pid, code, signal, restartInMs },
      'worker exited unexpectedly; restarting',
    )
    slot.restart = setTimeout(() => {
      slot.restart = undefined
      if (this.#closing) return
      this.#fork(slot).then(
        () => {
          const workerPid = slot.worker?.process.pid ?? 0
          if (this.info.pids) this.info.pids[slot.id - 1] = workerPid
          this.#log.info({ worker: slot.id, workerPid }, 'worker restarted')
        },
        (err: unknown) => {
          // Its exit is handled (and a new restart scheduled) by #onExit; stopped by close(), it is no news.
          if (!this.#closing) this.#log.error({ err, worker: slot.id }, 'restarted worker failed to start')
        },
      )
    }, restartInMs)
  }

  /**
   * Asks every worker to close gracefully within `timeoutMs` (each drains, runs its shutdown hooks and
   * exits), waits for them for `timeoutMs` plus a margin for the hooks, then kills the rest (SIGKILL).
   */
  async close(timeoutMs: number): Promise<void> {
    this.#closing = true
    const running: Worker[] = []
    for (const slot of this.#slots) {
      clearTimeout(slot.restart)
      if (slot.worker === undefined) continue
      running.push(slot.worker)
      const message: PrimaryMessage = { swiftlet: 'close', timeoutMs }
      // A worker still starting has no listener for the message yet: SIGTERM ends it (its own trap, once it
      // listens, drains first).
      if (slot.listeningAt === 0 || !slot.worker.isConnected()) slot.worker.process.kill('SIGTERM')
      else slot.worker.send(message)
    }
    const stragglers = await exitedWithin(running, timeoutMs + EXIT_MARGIN_MS)
    for (const worker of stragglers) {
      this.#log.warn(
        { workerPid: worker.process.pid, timeoutMs },
        'worker still running after the deadline; killing it',
      )
      worker.process.kill('SIGKILL')
    }
    await exitedWithin(stragglers, 2_000)
  }

  /** Kills every worker at once (a second signal: the operator wants out now). */
  kill(): void {
    this.#closing = true
    for (const slot of this.#slots) {
      clearTimeout(slot.restart)
      slot.worker?.process.kill('SIGKILL')
    }
  }
}

/** Resolves with the workers still running after `timeoutMs`. */
async function exitedWithin(workers: Worker[], timeoutMs: number): Promise<Worker[]> {
  const alive = (w: Worker): boolean => w.process.exitCode === null && w.process.signalCode === null
  let timer: NodeJS.Timeout | undefined
  await Promise.race([
    Promise.all(workers.filter(alive).map((w) => new Promise((resolve) => w.once('exit', resolve)))),
    new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
  ])
  clearTimeout(timer)
  return workers.filter(alive)
}
