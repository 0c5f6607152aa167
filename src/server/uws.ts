/**
 * The uWebSockets.js core: the ONLY module that imports uWebSockets.js. Each uWS rule is enforced here,
 * with a comment at the spot (see ../shared/UWS-NOTES.md for the measured facts behind them).
 */
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import type * as UwsModule from 'uWebSockets.js'
import type { HttpRequest, HttpResponse, TemplatedApp, us_listen_socket } from 'uWebSockets.js'
import type { App } from '../app.js'
import { ERR } from '../errors.js'
import type { Logger } from '../logger.js'
import { emptyHeaders, type RequestInit } from '../request.js'
import type { CoreServer, ListenInfo, ListenOptions } from './lifecycle.js'
import { InFlight } from './in-flight.js'
import { hasBody, invalidContentLength, limitError } from './limits.js'
import { UwsBody } from './uws-body.js'
import { UwsSink } from './uws-sink.js'
import { encode, GOING_AWAY_FLUSH_MS, OpenWebSockets, webSocketBehavior } from './uws-ws.js'

type Uws = typeof UwsModule

/** Which uWebSockets.js implementation loaded. */
export interface LoadedUws {
  uws: Uws
  /** True when the native addon loaded; false for the package's JavaScript imitation. */
  native: boolean
  /** Why the native addon did not load (empty when it did), for the refusal or fallback log line. */
  reason: string
}

let loaded: LoadedUws | undefined

/**
 * Loads uWebSockets.js and tells native from imitation. The package quietly returns a slow JavaScript
 * imitation when its binary fails to load (or with `UWS_USE_FALLBACK=1`); only the native module is
 * loaded from a `.node` file, so the module cache tells which one we got.
 */
export function loadUws(): LoadedUws {
  if (loaded) return loaded
  const require = createRequire(import.meta.url)
  const uws = require('uWebSockets.js') as Uws
  // The package's own wrapper (src/uws.js) exports the same object: look for the module that did.
  const native = Object.values(require.cache).some(
    (mod) => mod?.exports === uws && mod.filename.endsWith('.node'),
  )
  loaded = { uws, native, reason: native ? '' : imitationReason(require) }
  return loaded
}

/** Why the package returned its imitation: the environment asked for it, or the binary failed to load. */
function imitationReason(require: NodeJS.Require): string {
  if (/^(1|true)$/i.test(process.env.UWS_USE_FALLBACK ?? '')) return 'UWS_USE_FALLBACK is set'
  const binary = `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`
  try {
    // The package's wrapper swallowed the error: loading the binary again reproduces it.
    require(`uWebSockets.js/binaries/${binary}`)
    return 'unknown'
  } catch (err) {
    return `${binary}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`
  }
}

/** The running uWS server for one App. */
export class UwsServer implements CoreServer {
  readonly inFlight = new InFlight()
  readonly info: ListenInfo
  readonly #uwsApp: TemplatedApp
  readonly #uws: Uws
  readonly #webSockets = new OpenWebSockets()
  #listenSocket: us_listen_socket | undefined
  /** When the 1001 close frames sent by {@link stopAccepting} have had time to flush (ms epoch). */
  #flushedAt = 0

  private constructor(uws: Uws, uwsApp: TemplatedApp, info: ListenInfo) {
    this.#uws = uws
    this.#uwsApp = uwsApp
    this.info = info
  }

  /**
   * Creates the uWS app, installs the catch-all route and listens. The caller checked the binary is native.
   * @throws Error `ERR_LISTEN_FAILED` when the port cannot be bound.
   */
  static async start(app: App<object>, options: ListenOptions, log: Logger): Promise<UwsServer> {
    const { uws } = loadUws()
    const core = 'uWebSockets.js native'
    const host = options.host ?? '127.0.0.1'
    const port = options.port ?? (Number(process.env.PORT) || 3000)
    const uwsApp = uws.App()
    const info: ListenInfo = { host, port, url: '', core }
    const server = new UwsServer(uws, uwsApp, info)
    // The native router mis-routes some static-vs-param combinations (upstream #1012): one catch-all
    // route, and Swiftlet's own router decides.
    const webSockets = app.webSocketRoutes()
    if (webSockets) {
      uwsApp.ws(
        '/*',
        webSocketBehavior(
          webSockets.routes,
          webSockets.largestPayload,
          options.webSocket ?? {},
          log,
          server.#webSockets,
        ),
      )
    }
    uwsApp.any('/*', (res, req) => server.#onRequest(app, log, res, req))
    // uSockets binds with SO_REUSEPORT by default: a second server on a busy port would silently share it
    // (and split the traffic). LIBUS_LISTEN_EXCLUSIVE_PORT (1) makes a busy port an error, unless the user
    // wants the sharing (several workers on one port). The host + options overload exists at runtime but is
    // missing from the type declarations.
    const exclusive = options.reusePort === true ? 0 : 1
    const listen = uwsApp.listen as unknown as (
      host: string,
      port: number,
      options: number,
      cb: (socket: us_listen_socket | false) => void,
    ) => void
    const socket = await new Promise<us_listen_socket | false>((resolve) =>
      listen.call(uwsApp, host, port, exclusive, resolve),
    )
    if (!socket) {
      const reason = await bindFailureReason(host, port)
      throw Object.assign(new Error(`could not listen on ${host}:${port}: ${reason}`), {
        code: ERR.LISTEN_FAILED,
      })
    }
    server.#listenSocket = socket
    info.port = uws.us_socket_local_port(socket)
    info.url = `http://${host.includes(':') ? `[${host}]` : host}:${info.port}`
    return server
  }

  /**
   * Closes the listen socket: no new connections. Keep-alive connections stay until {@link closeAll}; open
   * WebSockets get a close frame 1001 now (RFC 6455 §7.4.1), so their clients reconnect elsewhere during
   * the drain instead of seeing 1006 at {@link closeAll}.
   */
  stopAccepting(): void {
    if (this.#listenSocket) this.#uws.us_listen_socket_close(this.#listenSocket)
    this.#listenSocket = undefined
    if (this.#webSockets.goAway() > 0) this.#flushedAt = Date.now() + GOING_AWAY_FLUSH_MS
  }

  /**
   * Resolves true when no response is pending, false when `timeoutMs` passed first; it also gives the 1001
   * close frames up to GOING_AWAY_FLUSH_MS (within `timeoutMs`) to flush, since closeAll() drops what is
   * still unsent.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    const flushMs = Math.min(this.#flushedAt - Date.now(), timeoutMs)
    const flushed = flushMs > 0 ? new Promise((resolve) => setTimeout(resolve, flushMs)) : undefined
    const drained = await this.inFlight.drained(timeoutMs)
    await flushed
    return drained
  }

  /** Publishes to every WebSocket subscribed to `topic`. */
  publish(topic: string, message: unknown): boolean {
    const [data, binary] = encode(message)
    return this.#uwsApp.publish(topic, data, binary)
  }

  /** Closes every socket, idle keep-alive ones included. */
  closeAll(): void {
    // `close()` exists on TemplatedApp in v20.30 but is missing from its type declarations.
    ;(this.#uwsApp as TemplatedApp & { close(): void }).close()
  }

  #onRequest(app: App<object>, log: Logger, res: HttpResponse, req: HttpRequest): void {
    const sink = new UwsSink(res, this.inFlight, log)
    this.inFlight.started()
    // No exception may cross a uWS callback: it would take the whole process down.
    try {
      void app.handle(copyRequest(req, res, app, sink), sink)
    } catch (err) {
      log.error({ err }, 'uWS request callback failed')
      sink.fail()
    }
    // Before this callback returns, and only for a response not already ended in it (a synchronous
    // answer): without onAborted, a response finished later terminates the process when the client has
    // gone. Nothing can abort the request while this callback runs.
    sink.armAbort()
  }
}

/**
 * uSockets reports a failed bind without a reason: bind the same address with node:net to learn it
 * (EADDRINUSE, EACCES, EADDRNOTAVAIL...).
 */
function bindFailureReason(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const probe = createServer()
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message))
    probe.listen({ host, port, exclusive: true }, () =>
      probe.close(() => resolve('the port was busy a moment ago')),
    )
  })
}

/**
 * Collects one request's headers during `req.forEach`. One instance serves every request: forEach calls back
 * synchronously, so no two collections overlap, and no closure is allocated per request.
 */
const NO_HEADERS = emptyHeaders()
const collector = {
  headers: NO_HEADERS,
  bytes: 0,
  limit: 0,
  add(name: string, value: string): void {
    const size = (collector.bytes += name.length + value.length)
    // uWS accepts header blocks far over our limit (UWS-NOTES): stop copying once past it; 431 follows.
    if (size > collector.limit) return
    const headers = collector.headers
    const previous = headers[name]
    if (previous === undefined) headers[name] = value
    else headers[name] = previous + (name === 'cookie' ? '; ' : ', ') + value
  },
}

/**
 * Copies everything needed from the HttpRequest, synchronously: it is valid only during this callback,
 * and reading it after an await would read freed memory. Attaches the body reader to `sink` when the
 * request has a body: onData must be attached now or the body bytes are lost, and even a request refused
 * before routing gets one, so the sink knows the body is unread and closes the connection after answering.
 */
function copyRequest(req: HttpRequest, res: HttpResponse, app: App<object>, sink: UwsSink): RequestInit {
  const limits = app.limits
  const method = req.getCaseSensitiveMethod()
  const path = req.getUrl()
  const querystring = req.getQuery() ?? ''
  const headers = (collector.headers = emptyHeaders())
  collector.bytes = 0
  collector.limit = limits.headers
  req.forEach(collector.add)
  // Not kept past this request (its Authorization and cookies would stay reachable until the next one).
  collector.headers = NO_HEADERS
  const headerBytes = collector.bytes
  const targetLength = path.length + (querystring === '' ? 0 : querystring.length + 1)
  const init: RequestInit = {
    method,
    path,
    querystring,
    headers,
    ip: sink,
    body: null,
    bodyLimit: limits.body,
  }
  // Requests without framing headers (most GETs) skip the body and Content-Length checks.
  const framed = headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined
  if (framed && hasBody(headers)) {
    // The matched route's limit (never anything the client chose) decides the early 413 and the buffering.
    init.bodyLimit = app.bodyLimitFor(method, path)
    init.body = sink.attachBody(new UwsBody(res, init.bodyLimit))
  }
  // An invalid Content-Length leaves the framing unknowable: 400, then close (RFC 9112 §6.3). The uWS
  // parser closes most such sockets itself, but only after this callback ran, and it keeps serving
  // differing duplicates (`5` and `7`) with the first value.
  if (framed && invalidContentLength(headers)) sink.closeAfterResponse()
  const error =
    framed || headerBytes > limits.headers || targetLength > limits.url || headers.expect !== undefined
      ? limitError(targetLength, headerBytes, headers, limits, init.bodyLimit)
      : undefined
  if (error) init.error = error
  return init
}
