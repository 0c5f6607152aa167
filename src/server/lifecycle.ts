/**
 * Lifecycle: startup hooks, listening on the core, and graceful shutdown (stop accepting, drain in-flight
 * requests within a deadline, close what remains, run shutdown hooks), also on SIGINT/SIGTERM.
 */
import type { App } from '../app.js'
import type { Logger } from '../logger.js'
import type { UwsServer } from './uws.js'

/** Options for `app.listen()`. */
export interface ListenOptions {
  /** TCP port; 0 picks a free one. @default Number(process.env.PORT) || 3000 */
  port?: number
  /** Address to bind. Use `0.0.0.0` to accept connections from other machines. @default '127.0.0.1' */
  host?: string
  /**
   * Start even when uWebSockets.js fell back to its slow JavaScript imitation (the native binary did not
   * load). Never benchmark on it. @default false
   */
  allowFallback?: boolean
  /** Signals that trigger a graceful shutdown and then exit; `false` leaves signals alone. @default ['SIGINT', 'SIGTERM'] */
  signals?: NodeJS.Signals[] | false
  /** How long `close()` waits for in-flight requests, in ms. @default 10000 */
  shutdownTimeoutMs?: number
}

/** Where the app is listening. */
export interface ListenInfo {
  port: number
  host: string
  /** `http://host:port` */
  url: string
  /** Which core serves: `uWebSockets.js native` or `uWebSockets.js fallback (JavaScript imitation)`. */
  core: string
}

type Hook = () => unknown

/** @internal Owned by the App. */
export class Lifecycle {
  readonly startup: Hook[] = []
  readonly shutdown: Hook[] = []
  closing = false
  readonly #app: App<object>
  readonly #log: Logger
  #server: UwsServer | undefined
  #closed: Promise<void> | undefined
  #timeoutMs = 10_000
  #signalHandlers: Array<[NodeJS.Signals, () => void]> = []

  constructor(app: App<object>, log: Logger) {
    this.#app = app
    this.#log = log
  }

  async listen(options: ListenOptions): Promise<ListenInfo> {
    if (this.#server || this.closing) throw new Error('app.listen() was already called')
    this.#timeoutMs = options.shutdownTimeoutMs ?? 10_000
    for (const hook of this.startup) await hook()
    // Loaded on first listen only, so apps that only use inject() never load the native addon.
    const { UwsServer } = await import('./uws.js')
    const server = await UwsServer.start(this.#app, options, this.#log)
    this.#server = server
    this.#trapSignals(options.signals ?? ['SIGINT', 'SIGTERM'])
    const info = server.info
    this.#log.info({ url: info.url, core: info.core }, `listening on ${info.url}`)
    return info
  }

  close(timeoutMs = this.#timeoutMs): Promise<void> {
    return (this.#closed ??= this.#close(timeoutMs))
  }

  async #close(timeoutMs: number): Promise<void> {
    this.closing = true
    const server = this.#server
    if (server) {
      server.stopAccepting()
      const drained = await server.drain(timeoutMs)
      if (!drained) {
        this.#log.warn(
          { timeoutMs, inFlight: server.active },
          'shutdown deadline passed; closing connections',
        )
      }
      server.closeAll()
    }
    for (const hook of this.shutdown) {
      try {
        await hook()
      } catch (err) {
        this.#log.error({ err }, 'shutdown hook failed')
      }
    }
    for (const [signal, handler] of this.#signalHandlers) process.off(signal, handler)
    this.#log.info('server closed')
  }

  #trapSignals(signals: NodeJS.Signals[] | false): void {
    if (signals === false) return
    for (const signal of signals) {
      const handler = (): void => {
        if (this.closing) {
          // A second signal during the drain: the operator wants out now.
          this.#log.warn({ signal }, 'second signal during shutdown; exiting now')
          process.exit(1)
        }
        this.#log.info({ signal }, 'shutting down gracefully')
        // With a listener installed Node no longer exits on the signal: exit once the drain is done.
        this.close().then(
          () => process.exit(0),
          () => process.exit(1),
        )
      }
      process.on(signal, handler)
      this.#signalHandlers.push([signal, handler])
    }
  }
}
