/**
 * Lifecycle: startup hooks, listening on the core, and graceful shutdown (stop accepting, drain in-flight
 * requests within a deadline, close what remains, run shutdown hooks), also on SIGINT/SIGTERM.
 */
import type { App } from '../app.js'
import type { Logger } from '../logger.js'
import { ERR } from '../errors.js'
import type { InFlight } from './in-flight.js'
import type { WebSocketOptions } from '../websocket.js'
import { workerSetting, type WorkerSetting } from './cluster-role.js'
import { reportFailure, reportListening, WorkerControl, workerListenOptions } from './cluster-worker.js'
import type { WorkerPool } from './cluster-primary.js'
import type { ListenTlsOptions } from './node-tls.js'

/** Options for `app.listen()`. */
export interface ListenOptions {
  /** TCP port; 0 picks a free one. @default Number(process.env.PORT) || 3000 */
  port?: number
  /** Address to bind. Use `0.0.0.0` to accept connections from other machines. @default '127.0.0.1' */
  host?: string
  /**
   * Alias of `core: 'auto'`, kept for existing callers: when the uWebSockets.js native binary cannot load
   * (the package then offers a slow, incomplete JavaScript imitation), serve on the node:http core instead of
   * refusing to start. The imitation itself is never used. @default false
   */
  allowFallback?: boolean
  /**
   * The server core (see docs/cores.md): `uws` (uWebSockets.js; refuses to start without its native binary,
   * and cannot serve `tls` or `http2`), `node` (node:http, node:https with `tls`, node:http2 with `http2`), or
   * `auto` (uWS when its native binary loads and neither `tls` nor `http2` is asked for, else node, with a
   * warning log line saying why). @default 'uws', or 'node' when `tls` or `http2` is set
   */
  core?: 'uws' | 'node' | 'auto'
  /**
   * Serve HTTPS on the node core (node:https): Node's TLS server options, at least `key` and `cert` (PEM
   * strings or Buffers), optionally `ca`, `passphrase`, `pfx`, `minVersion`, `ciphers`, `SNICallback`...
   * `handshakeTimeout` defaults to `headersTimeoutMs`. `ListenInfo.url` then starts with `https://`.
   * @see https://nodejs.org/api/tls.html#tlscreatesecurecontextoptions
   */
  tls?: ListenTlsOptions
  /**
   * Serve HTTP/2 (RFC 9113) on the node core, next to HTTP/1.1 on the same port: the protocol is chosen per
   * connection by TLS ALPN (`h2`, else `http/1.1`). Needs `tls` (browsers speak HTTP/2 over TLS only; h2c is
   * not offered). At most 100 concurrent streams per connection. @default false
   */
  http2?: boolean
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
  /**
   * Serve from this many worker processes on the same port (node:cluster; `'auto'`: one per core, from
   * `os.availableParallelism()`). The process you started becomes the primary: it runs no startup hooks and
   * builds no server, forks the workers (each re-runs your entry script, builds its own App, runs its own
   * hooks and listens: with SO_REUSEPORT on uWS, through cluster's shared handle on node), restarts a worker
   * that dies (backoff 100 ms doubling to 10 s), and on `close()` or a signal has every worker drain within
   * `shutdownTimeoutMs` and exit, killing it 5 s after that. Worker log lines carry `worker: 1..n`; see
   * `isPrimary()` and `workerId()`, and docs/server.md ("Workers").
   * @throws RangeError (`ERR_INVALID_LISTEN_OPTIONS`) unless `'auto'` or an integer from 1 to 256.
   */
  workers?: number | 'auto'
}

/** Where the app is listening. */
export interface ListenInfo {
  port: number
  host: string
  /** `http://host:port`, or `https://host:port` with `tls`. */
  url: string
  /**
   * Which core serves: `uWebSockets.js native`, `node:http`, `node:https`, `node:http2` (h2 and HTTP/1.1
   * over TLS), or `node:http (uWebSockets.js unavailable)` when `auto` fell back.
   */
  core: string
  /** In the primary of `listen({ workers })`: the number of workers. */
  workers?: number
  /** In the primary of `listen({ workers })`: the workers' pids, by worker number (updated on restarts). */
  pids?: number[]
  /** In a worker of `listen({ workers })`: its number, 1..n (see `workerId()`). */
  worker?: number
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
 * Starts the requested core (see {@link ListenOptions.core}). On uWS, checks the native binary loaded: the
 * package quietly falls back to a JavaScript imitation, which Swiftlet refuses (or, with `auto`, replaces by
 * the node core).
 * @throws Error `ERR_CORE_FALLBACK` (uws without its native binary), `ERR_CORE_UNSUPPORTED` (uws with `tls`
 *   or `http2`; `http2` without `tls`), `ERR_LISTEN_FAILED`.
 */
async function startCore(app: App<object>, options: ListenOptions, log: Logger): Promise<CoreServer> {
  // Each core is loaded only when chosen: the node cores bring node:http, node:https, node:http2 and TLS.
  const nodeCore = () => import('./node.js')
  const secure = options.tls !== undefined || options.http2 === true
  let core = options.core ?? (secure ? 'node' : 'uws')
  if (core === 'uws' && options.allowFallback === true) core = 'auto'
  if (core === 'uws' && secure) {
    throw Object.assign(
      new Error(
        'the uWebSockets.js core cannot serve tls or http2 (this build has no TLS): pass ' +
          "listen({ core: 'node' }) or { core: 'auto' }, or terminate TLS at a proxy in front of uWS",
      ),
      { code: ERR.CORE_UNSUPPORTED },
    )
  }
  if (core === 'node') {
    const { NodeServer, nodeCoreName } = await nodeCore()
    return NodeServer.start(app, options, log, nodeCoreName(options))
  }
  if (core === 'auto' && secure) {
    const { NodeServer, nodeCoreName } = await nodeCore()
    const name = nodeCoreName(options)
    log.warn({ core: name }, `core: ${name}; tls/http2 was asked for and the uWebSockets.js build has no TLS`)
    return NodeServer.start(app, options, log, name)
  }
  // Loaded on first listen only, so apps that only use inject() never load the native addon.
  const { loadUws, UwsServer } = await import('./uws.js')
  const loaded = loadUws()
  if (loaded.native) {
    log.info({ core: 'uWebSockets.js native' }, 'core: uWebSockets.js native')
    return UwsServer.start(app, options, log)
  }
  if (core !== 'auto') {
    log.error(
      { reason: loaded.reason },
      'core: uWebSockets.js native binary did not load; refusing to start on its JavaScript imitation',
    )
    throw Object.assign(
      new Error(
        `uWebSockets.js fell back to its slow JavaScript imitation (${loaded.reason}). ` +
          "Pass listen({ core: 'node' }) or listen({ core: 'auto' }) to serve on the node:http core instead; " +
          'never benchmark it as uWS.',
      ),
      { code: ERR.CORE_FALLBACK },
    )
  }
  const name = 'node:http (uWebSockets.js unavailable)'
  log.warn(
    { core: name, reason: loaded.reason },
    `core: ${name}; the uWebSockets.js native binary did not load (${loaded.reason}), do not benchmark this as uWS`,
  )
  const { NodeServer } = await nodeCore()
  return NodeServer.start(app, options, log, name)
}

/** Time given to request code aborted by the end of a shutdown to run its cleanup, in ms. */
const ABORT_CLEANUP_MS = 1000

const CORES = new Set(['uws', 'node', 'auto'])

/**
 * Refuses options that cannot work before anything starts.
 * @throws TypeError `ERR_INVALID_LISTEN_OPTIONS` for an unknown `core`, or `tls` without a certificate
 *   (`key` and `cert`, `pfx`, or an `SNICallback`): Node would accept it and fail every handshake silently.
 */
function checkListenOptions(options: ListenOptions): void {
  const invalid = (message: string): TypeError =>
    Object.assign(new TypeError(message), { code: ERR.INVALID_LISTEN_OPTIONS })
  if (options.core !== undefined && !CORES.has(options.core)) {
    throw invalid(`listen({ core }) must be 'uws', 'node' or 'auto' (got ${String(options.core)})`)
  }
  const tls = options.tls
  if (tls !== undefined) {
    const certified = (tls.key !== undefined && tls.cert !== undefined) || tls.pfx !== undefined
    if (!certified && tls.SNICallback === undefined) {
      throw invalid('listen({ tls }) needs a certificate: key and cert, or pfx, or an SNICallback')
    }
  }
}

/** @internal Owned by the App. */
export class Lifecycle {
  readonly startup: Hook[] = []
  readonly shutdown: Hook[] = []
  closing = false
  readonly #app: App<object>
  readonly #log: Logger
  #server: CoreServer | undefined
  /** The primary's workers under `listen({ workers })`; this process then has no server of its own. */
  #pool: WorkerPool | undefined
  /** Set in a worker of `listen({ workers })`: the primary's close requests, and the exit after close(). */
  #worker: WorkerControl | undefined
  #closed: Promise<void> | undefined
  #timeoutMs = 10_000
  #processHandlers: Array<[string, (err: unknown) => void]> = []

  /** Where the server listens, once it does. */
  get info(): ListenInfo | undefined {
    return this.#server?.info ?? this.#pool?.info
  }

  constructor(app: App<object>, log: Logger) {
    this.#app = app
    this.#log = log
  }

  async listen(options: ListenOptions): Promise<ListenInfo> {
    if (this.#server || this.#pool || this.closing) throw new Error('app.listen() was already called')
    checkListenOptions(options)
    this.#timeoutMs = options.shutdownTimeoutMs ?? 10_000
    // listen({ workers }): the primary forks and supervises, each worker serves (src/server/cluster-*.ts).
    if (options.workers !== undefined) {
      const worker = workerSetting()
      return worker === undefined ? this.#listenPrimary(options) : this.#listenWorker(options, worker)
    }
    return this.#serve(options)
  }

  async #listenPrimary(options: ListenOptions): Promise<ListenInfo> {
    const { WorkerPool } = await import('./cluster-primary.js')
    this.#pool = await WorkerPool.start(options, this.#log.child({ role: 'primary' }))
    this.#trapSignals(options.signals ?? ['SIGINT', 'SIGTERM'])
    this.#containErrors(options.processErrors ?? 'log')
    const { url, core, workers, pids } = this.#pool.info
    this.#log.info({ url, core, workers, pids }, `listening on ${url} with ${workers} workers`)
    return this.#pool.info
  }

  async #listenWorker(options: ListenOptions, worker: WorkerSetting): Promise<ListenInfo> {
    try {
      const info = await this.#serve(workerListenOptions(options, worker))
      info.worker = worker.id
      this.#worker = new WorkerControl(this.#log, (timeoutMs) => this.close(timeoutMs))
      reportListening(info)
      return info
    } catch (err) {
      // The primary's listen() rejects with this; the worker's own rejection ends it as usual.
      reportFailure(err)
      throw err
    }
  }

  async #serve(options: ListenOptions): Promise<ListenInfo> {
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
    if (this.#pool) {
      // The primary runs no hooks of its own: each worker drains and runs its hooks.
      await this.#pool.close(timeoutMs)
      for (const [event, handler] of this.#processHandlers) process.off(event, handler)
      this.#log.info('server closed (every worker exited)')
      return
    }
    const server = this.#server
    if (server) {
      const deadline = Date.now() + timeoutMs
      server.stopAccepting()
      // Event streams never end by themselves: end them now (their queued events still go out) so the drain
      // is not spent waiting for them; clients reconnect elsewhere with Last-Event-ID.
      this.#app.endEventStreams()
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
      // Request code aborted just now (an upload interrupted mid-file) gets a moment to clean up (temp
      // files, provider cleanups) even when the deadline has passed.
      if (!(await this.#app.settled(Math.max(ABORT_CLEANUP_MS, deadline - Date.now())))) {
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
    // A worker's work is done once it closed: it exits (the primary restarts it unless it is shutting down).
    this.#worker?.exit()
  }

  #trapSignals(signals: NodeJS.Signals[] | false): void {
    if (signals === false) return
    for (const signal of signals) {
      const handler = (): void => {
        if (this.closing) {
          // A second signal during the drain: the operator wants out now.
          this.#log.warn({ signal }, 'second signal during shutdown; exiting now')
          this.#pool?.kill()
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
