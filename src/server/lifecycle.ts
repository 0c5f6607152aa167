/**
 * Lifecycle: startup hooks, listening on the core, and graceful shutdown (stop accepting, drain in-flight
 * requests within a deadline, close what remains, run shutdown hooks), also on SIGINT/SIGTERM.
 */
import type { App } from '../app.js'
import type { Logger } from '../logger.js'
import { ERR } from '../errors.js'
import type { InFlight } from './in-flight.js'
import type { WebSocketOptions } from '../websocket.js'

/** Options for `app.listen()`. */
export interface ListenOptions {
  /** TCP port; 0 picks a free one. @default Number(process.env.PORT) || 3000 */
  port?: number
  /** Address to bind. Use `0.0.0.0` to accept connections from other machines. @default '127.0.0.1' */
  host?: string
  /**
   * When the uWebSockets.js native binary cannot load (the package then offers a slow, incomplete
   * JavaScript imitation), serve on Swiftlet's node:http core instead of refusing to start. The imitation
   * itself is never used. @default false
   */
  allowFallback?: boolean
  /**
   * The server core: `uws` (uWebSockets.js) or `node` (node:http, for what this uWS build lacks, such as
   * debugging with Node's tooling). @default 'uws'
   */
  core?: 'uws' | 'node'
  /**
   * node:http core: time allowed for a request's header block to arrive, in ms (slowloris defence). The uWS
   * core's equivalent is fixed at about 10 s inside its parser. @default 10000
   */
  headersTimeoutMs?: number
  /** node:http core: time allowed for a whole request, body included, in ms. @default 30000 */
  requestTimeoutMs?: number
  /** WebSocket settings for every `app.ws()` route (uWS core). */
  webSocket?: WebSocketOptions
  /**
   * Share the port with other listeners (SO_REUSEPORT), e.g. one worker per core. Off, a busy port is an
   * error (`ERR_LISTEN_FAILED`, with the reason) instead of silently splitting traffic with whoever holds it.
   * @default false
   */
  reusePort?: boolean
  /** Signals that trigger a graceful shutdown and then exit; `false` leaves signals alone. @default ['SIGINT', 'SIGTERM'] */
  signals?: NodeJS.Signals[] | false
  /** How long `close()` waits for in-flight requests, in ms. @default 10000 */
  shutdownTimeoutMs?: number
  /**
   * What an `unhandledRejection` or `uncaughtException` (a promise a handler started and never awaited, a
   * throw in a timer callback) does while the app listens: `'log'` logs it at error level and keeps
   * serving; `'exit'` logs it, shuts down gracefully and exits with code 1; `false` leaves Node's default
   * (the process crashes). Nothing is installed for an event the process already has a listener for.
   * @default 'log'
   */
  processErrors?: 'log' | 'exit' | false
}

/** Where the app is listening. */
export interface ListenInfo {
  port: number
  host: string
  /** `http://host:port` */
  url: string
  /** Which core serves: `uWebSockets.js native`, `node:http`, or `node:http (uWebSockets.js unavailable)`. */
  core: string
}

type Hook = () => unknown

/** What the lifecycle needs from a running core. */
export interface CoreServer {
  readonly info: ListenInfo
  /** Responses not yet finished (ended or aborted). */
  readonly inFlight: InFlight
  /** Closes the listen socket; open connections stay. */
  stopAccepting(): void
  /** Resolves true once no response is pending, false when `timeoutMs` passed first. */
  drain(timeoutMs: number): Promise<boolean>
  /** Closes every connection, idle keep-alive ones included. */
  closeAll(): void
  /** Publishes to a WebSocket topic; absent on cores without WebSockets. */
  publish?(topic: string, message: unknown): boolean
}

/**
 * Starts the requested core. On uWS, checks the native binary loaded: the package quietly falls back to a
 * JavaScript imitation, which Swiftlet refuses (or, with `allowFallback`, replaces by node:http).
 * @throws Error `ERR_CORE_FALLBACK`, `ERR_LISTEN_FAILED`.
 */
async function startCore(app: App<object>, options: ListenOptions, log: Logger): Promise<CoreServer> {
  const { NodeServer } = await import('./node.js')
  if (options.core === 'node') return NodeServer.start(app, options, log, 'node:http')
  // Loaded on first listen only, so apps that only use inject() never load the native addon.
  const { loadUws, UwsServer } = await import('./uws.js')
  if (loadUws().native) {
    log.info({ core: 'uWebSockets.js native' }, 'core: uWebSockets.js native')
    return UwsServer.start(app, options, log)
  }
  if (options.allowFallback !== true) {
    log.error(
      'core: uWebSockets.js native binary did not load; refusing to start on its JavaScript imitation',
    )
    throw Object.assign(
      new Error(
        'uWebSockets.js fell back to its slow JavaScript imitation (the native binary did not load). ' +
          'Pass listen({ allowFallback: true }) to serve on the node:http core instead; never benchmark it as uWS.',
      ),
      { code: ERR.CORE_FALLBACK },
    )
  }
  const core = 'node:http (uWebSockets.js unavailable)'
  log.warn(
    { core },
    `core: ${core}; the uWebSockets.js native binary did not load, do not benchmark this as uWS`,
  )
  return NodeServer.start(app, options, log, core)
}

/** @internal Owned by the App. */
export class Lifecycle {
  readonly startup: Hook[] = []
  readonly shutdown: Hook[] = []
  closing = false
  readonly #app: App<object>
  readonly #log: Logger
  #server: CoreServer | undefined
  #closed: Promise<void> | undefined
  #timeoutMs = 10_000
  #processHandlers: Array<[string, (err: unknown) => void]> = []

  /** Where the server listens, once it does. */
  get info(): ListenInfo | undefined {
    return this.#server?.info
  }

  constructor(app: App<object>, log: Logger) {
    this.#app = app
    this.#log = log
  }

  async listen(options: ListenOptions): Promise<ListenInfo> {
    if (this.#server || this.closing) throw new Error('app.listen() was already called')
    this.#timeoutMs = options.shutdownTimeoutMs ?? 10_000
    for (const hook of this.startup) await hook()
    const server = await startCore(this.#app, options, this.#log)
    this.#server = server
    this.#trapSignals(options.signals ?? ['SIGINT', 'SIGTERM'])
    this.#containErrors(options.processErrors ?? 'log')
    const info = server.info
    this.#log.info({ url: info.url, core: info.core }, `listening on ${info.url}`)
    return info
  }

  publish(topic: string, message: unknown): boolean {
    return this.#server?.publish?.(topic, message) ?? false
  }

  close(timeoutMs = this.#timeoutMs): Promise<void> {
    return (this.#closed ??= this.#close(timeoutMs))
  }

  async #close(timeoutMs: number): Promise<void> {
    this.closing = true
    const server = this.#server
    if (server) {
      const deadline = Date.now() + timeoutMs
      server.stopAccepting()
      const drained = await server.drain(timeoutMs)
      if (!drained) {
        this.#log.warn(
          { timeoutMs, inFlight: server.inFlight.count },
          'shutdown deadline passed; closing connections',
        )
      }
      // A response ended inside a uWS callback (close() called from a handler, or from an error listener
      // run in that callback's tick) waits in its socket's cork buffer until the callback returns: let the
      // event loop turn once so it is flushed, not discarded, when the sockets close.
      await new Promise<void>((resolve) => setImmediate(resolve))
      server.closeAll()
      // The core's count ends when a response is written or aborted; the request's own code (provider
      // cleanups, a handler still awaiting after its client left) may run on and use what the hooks close.
      if (!(await this.#app.settled(Math.max(0, deadline - Date.now())))) {
        this.#log.warn({ inFlight: this.#app.stats().inFlight }, 'requests still running at shutdown')
      }
    }
    for (const hook of this.shutdown) {
      try {
        await hook()
      } catch (err) {
        this.#log.error({ err }, 'shutdown hook failed')
      }
    }
    for (const [event, handler] of this.#processHandlers) process.off(event, handler)
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
      this.#processHandlers.push([signal, handler])
    }
  }

  /** Keeps a stray rejection or exception from user code from killing every in-flight request with it. */
  #containErrors(mode: 'log' | 'exit' | false): void {
    if (mode === false) return
    const events = [
      ['unhandledRejection', 'unhandled rejection'],
      ['uncaughtException', 'uncaught exception'],
    ] as const
    for (const [event, msg] of events) {
      if (process.listenerCount(event) > 0) continue // the application handles it itself
      const handler = (err: unknown): void => {
        this.#log.error({ err }, `${msg}; ${mode === 'log' ? 'still serving' : 'shutting down'}`)
        if (mode === 'exit' && !this.closing) {
          this.close().then(
            () => process.exit(1),
            () => process.exit(1),
          )
        }
      }
      process.on(event, handler)
      this.#processHandlers.push([event, handler])
    }
  }
}
