/**
 * The worker side of `listen({ workers })`: each worker listens for real on the port the primary resolved
 * (its own SO_REUSEPORT socket on the uWS core; cluster's shared handle on the node:http core), reports
 * `listening` or its startup error to the primary, and closes gracefully, then exits, when the primary tells
 * it to or goes away.
 */
import type { Logger } from '../logger.js'
import {
  loadCluster,
  isSwiftletMessage,
  type PrimaryMessage,
  type WorkerMessage,
  type WorkerSetting,
} from './cluster-role.js'
import type { ListenInfo, ListenOptions } from './lifecycle.js'

/** @internal The options a worker really listens with. */
export function workerListenOptions(options: ListenOptions, worker: WorkerSetting): ListenOptions {
  // uWS: each worker binds its own socket; without SO_REUSEPORT the second one would fail with EADDRINUSE.
  // node:http: `listen()` in a cluster worker goes through the primary's shared handle, reusePort unused.
  return { ...options, port: worker.port, reusePort: true }
}

function send(message: WorkerMessage): void {
  // The channel may already be gone (the primary died): nothing to tell then.
  if (process.connected) process.send?.(message)
}

/** @internal Tells the primary this worker listens. */
export function reportListening(info: ListenInfo): void {
  send({ swiftlet: 'listening', info: { ...info } })
}

/** @internal Tells the primary why this worker could not start (the primary's `listen()` rejects with it). */
export function reportFailure(err: unknown): void {
  const code = (err as { code?: unknown } | null)?.code
  send({
    swiftlet: 'failed',
    message: err instanceof Error ? err.message : String(err),
    code: typeof code === 'string' ? code : undefined,
  })
}

/**
 * @internal Closes gracefully (`close(timeoutMs)`) when the primary asks, or when the IPC channel closes
 * because the primary died; {@link WorkerControl.exit} then ends the process. A worker must close its
 * listen socket and connections before it exits (UWS-NOTES), which `close()` does.
 */
export class WorkerControl {
  readonly #log: Logger
  readonly #close: (timeoutMs?: number) => Promise<void>
  readonly #onMessage = (message: unknown): void => {
    if (!isSwiftletMessage(message) || message.swiftlet !== 'close') return
    const { timeoutMs } = message as PrimaryMessage
    this.#log.info({ timeoutMs }, 'worker: the primary asked for a graceful shutdown')
    void this.#close(timeoutMs)
  }
  readonly #onDisconnect = (): void => {
    this.#log.warn('worker: the primary went away; shutting down gracefully')
    void this.#close()
  }

  constructor(log: Logger, close: (timeoutMs?: number) => Promise<void>) {
    this.#log = log
    this.#close = close
    process.on('message', this.#onMessage)
    process.on('disconnect', this.#onDisconnect)
    // Node's cluster makes a worker exit at once (process.exit(0)) when its IPC channel closes, unless
    // `exitedAfterDisconnect` is true (documented at Worker.process): a primary that died would cut every
    // in-flight request. This worker drains first instead (#onDisconnect), then exits.
    const { worker } = loadCluster()
    if (worker) worker.exitedAfterDisconnect = true
  }

  /**
   * Called once close() finished. The worker exits 0 on the next turn, after the code awaiting close()
   * ran (a signal handler or `processErrors: 'exit'` may exit first with its own code).
   */
  exit(): void {
    process.off('message', this.#onMessage)
    process.off('disconnect', this.#onDisconnect)
    setImmediate(() => process.exit(0))
  }
}
