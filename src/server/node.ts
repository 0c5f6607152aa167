/**
 * The node core: the same pipeline on Node's own servers. node:http by default; node:https with
 * `listen({ tls })`; with `http2: true` too, HTTP/2 and HTTP/1.1 on one TLS port (chosen by ALPN, see
 * node-h2.ts). Used when asked for (`core: 'node'`), or by `core: 'auto'` when the uWebSockets.js native
 * binary cannot load or TLS is wanted. Node's parser answers some malformed requests itself (400, 431 over
 * `limits.headers`) before Swiftlet sees them. See docs/cores.md.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { App } from '../app.js'
import { ERR } from '../errors.js'
import type { Logger } from '../logger.js'
import type { RequestHeaders } from '../request.js'
import type { CoreServer, ListenInfo, ListenOptions } from './lifecycle.js'
import { InFlight } from './in-flight.js'
import { hasBody, invalidContentLength } from './limits.js'
import { H2Sessions } from './node-h2.js'
import { copyRequest, NodeBody, NodeSink, type NodeRequest, type NodeResponse } from './node-sink.js'
import { alpnProtocols } from './node-tls.js'

/** The core's name for these options: `node:http`, `node:https` or `node:http2`. */
export function nodeCoreName(options: Pick<ListenOptions, 'tls' | 'http2'>): string {
  if (options.http2 === true) return 'node:http2'
  return options.tls === undefined ? 'node:http' : 'node:https'
}

/** The running node:http / node:https / node:http2 server for one App. */
export class NodeServer implements CoreServer {
  readonly inFlight = new InFlight()
  readonly info: ListenInfo
  readonly #server: Server
  #h2: H2Sessions | undefined

  private constructor(server: Server, info: ListenInfo) {
    this.#server = server
    this.info = info
  }

  /**
   * @throws Error `ERR_CORE_UNSUPPORTED` for `http2` without `tls`; `ERR_LISTEN_FAILED` when the port cannot
   *   be bound; Node's TLS errors (a bad key or certificate) as they are.
   */
  static async start(
    app: App<object>,
    options: ListenOptions,
    log: Logger,
    core: string,
  ): Promise<NodeServer> {
    const host = options.host ?? '127.0.0.1'
    const port = options.port ?? (Number(process.env.PORT) || 3000)
    const requestTimeout = options.requestTimeoutMs ?? 30_000
    // The headers are part of the request: Node refuses a header deadline longer than the request's.
    const headersTimeout = Math.min(options.headersTimeoutMs ?? 10_000, requestTimeout)
    const http1 = {
      // Node answers 431 itself above maxHeaderSize, which covers the request line too.
      maxHeaderSize: app.limits.headers + app.limits.url,
      // Slow clients (slowloris): the header block must arrive within this deadline, as uWS's fixed ~10 s.
      headersTimeout,
      // The whole request, body included; Node's own default is 300 s.
      requestTimeout,
      // Node checks those deadlines on this interval (30 s by default), which would let a slow client
      // overstay a 10 s deadline threefold.
      connectionsCheckingInterval: 1000,
    }
    const { tls } = options
    if (options.http2 === true && tls === undefined) {
      throw Object.assign(
        new Error('listen({ http2: true }) needs tls: HTTP/2 is served over TLS only (h2c is not offered)'),
        { code: ERR.CORE_UNSUPPORTED },
      )
    }
    const server: Server =
      tls === undefined
        ? createServer(http1)
        : createHttpsServer({
            handshakeTimeout: headersTimeout,
            ...tls,
            ...http1,
            ALPNProtocols: alpnProtocols(options.http2 === true),
          })
    if (app.webSocketRoutes()) {
      log.warn(
        { core },
        'the node core does not serve WebSockets: the app.ws() routes answer no upgrade here',
      )
    }
    const info: ListenInfo = { host, port, url: '', core }
    const self = new NodeServer(server, info)
    const onRequest = (req: IncomingMessage, res: ServerResponse): void =>
      self.#onRequest(app, log, req, res, undefined)
    server.on('request', onRequest)
    // Node answers an Expect other than 100-continue with a bare 417 itself; the pipeline's 417 carries the
    // JSON error body and is logged, as on the other cores.
    server.on('checkExpectation', onRequest)
    if (options.http2 === true) {
      self.#h2 = new H2Sessions(server, { idleMs: headersTimeout }, (req, res) =>
        self.#onRequest(app, log, req, res, requestTimeout),
      )
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(Object.assign(err, { code: ERR.LISTEN_FAILED })))
      server.listen(port, host, resolve)
    })
    info.port = (server.address() as AddressInfo).port
    const scheme = tls === undefined ? 'http' : 'https'
    info.url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${info.port}`
    return self
  }

  stopAccepting(): void {
    this.#server.close()
    this.#server.closeIdleConnections()
    this.#h2?.goAway()
  }

  drain(timeoutMs: number): Promise<boolean> {
    return this.inFlight.drained(timeoutMs)
  }

  closeAll(): void {
    this.#server.closeAllConnections()
    this.#h2?.destroyAll()
  }

  /** @param deadlineMs - Body deadline the core enforces itself (HTTP/2); HTTP/1.1 has Node's. */
  #onRequest(
    app: App<object>,
    log: Logger,
    req: IncomingMessage | Http2ServerRequest,
    res: ServerResponse | Http2ServerResponse,
    deadlineMs: number | undefined,
  ): void {
    this.inFlight.started()
    const http2 = req.httpVersionMajor === 2
    const sink = new NodeSink(res as NodeResponse, this.inFlight, http2)
    try {
      const init = copyRequest(req, app)
      if (carriesBody(req, init.headers, http2) && !invalidContentLength(init.headers)) {
        init.body = new NodeBody(req, init.bodyLimit ?? app.limits.body, deadlineMs)
      } else {
        req.resume()
      }
      void app.handle(init, sink)
    } catch (err) {
      log.error({ err }, 'node core request handler failed')
      res.destroy()
    }
  }
}

/**
 * HTTP/2 frames the body itself: a request without END_STREAM on its HEADERS has one, Content-Length or not
 * (RFC 9113 §8.1). HTTP/1.1 says so in its headers.
 */
function carriesBody(req: NodeRequest, headers: RequestHeaders, http2: boolean): boolean {
  return http2 ? !(req as Http2ServerRequest).stream.endAfterHeaders : hasBody(headers)
}
