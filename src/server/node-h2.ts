/**
 * HTTP/2 next to HTTP/1.1 on one node:https server. TLS ALPN picks the protocol per connection: `h2`
 * connections go to a node:http2 server (its compatibility API feeds the same request path as HTTP/1.1),
 * every other connection stays with node:https, so HTTP/1.1 keeps Node's own deadlines (`headersTimeout`,
 * `requestTimeout`), idle-connection handling and in-order pipelining. (node:http2's own `allowHTTP1` mode
 * was tried first: its HTTP/1.1 connections escape those deadlines, measured on Node 20.)
 */
import type { EventEmitter } from 'node:events'
import {
  createServer as createHttp2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type ServerHttp2Session,
} from 'node:http2'
import type { Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'

/** Concurrent streams a client may open on one connection (RFC 9113 §6.5.2); Node's default is unbounded. */
export const H2_MAX_CONCURRENT_STREAMS = 100
/** How long a session closed with GOAWAY may take to finish before it is destroyed, in ms. */
const GOAWAY_GRACE_MS = 1000

/** Options for {@link H2Sessions}. */
export interface H2Options {
  /**
   * A connection with no open stream for this long, in ms, is closed with GOAWAY: the HTTP/2 equivalent of
   * the header deadline (a client that never finishes its first HEADERS) and of the keep-alive timeout.
   */
  idleMs: number
}

/** The HTTP/2 side of a node:https server: routes `h2` connections and tracks their sessions. */
export class H2Sessions {
  readonly #sessions = new Set<ServerHttp2Session>()
  readonly #idleMs: number

  /**
   * Takes over the TLS server's `secureConnection` listeners: `h2` connections go to HTTP/2, the rest to them.
   * @param onRequest - Called for each HTTP/2 request, as node:https's `request` event is for HTTP/1.1.
   */
  constructor(
    server: EventEmitter,
    options: H2Options,
    onRequest: (req: Http2ServerRequest, res: Http2ServerResponse) => void,
  ) {
    this.#idleMs = options.idleMs
    // A plaintext HTTP/2 server, never listening: it is handed sockets the TLS server already decrypted.
    const h2 = createHttp2Server({ settings: { maxConcurrentStreams: H2_MAX_CONCURRENT_STREAMS } })
    h2.on('request', onRequest)
    h2.on('checkExpectation', onRequest) // as node:https: the pipeline answers 417
    h2.on('session', (session: ServerHttp2Session) => this.#track(session))
    const http1 = server.listeners('secureConnection') as Array<(socket: TLSSocket) => void>
    server.removeAllListeners('secureConnection')
    server.on('secureConnection', (socket: TLSSocket) => {
      if (socket.alpnProtocol === 'h2') h2.emit('connection', socket as Socket)
      else for (const listener of http1) listener.call(server, socket)
    })
  }

  /** Sessions open now. */
  get size(): number {
    return this.#sessions.size
  }

  /**
   * Graceful shutdown: GOAWAY on every session (RFC 9113 §6.8). Streams already open finish; the client opens
   * new ones on a new connection, which the closed listen socket refuses.
   */
  goAway(): void {
    for (const session of this.#sessions) if (!session.closed) session.close()
  }

  /** Destroys every session, open streams included. */
  destroyAll(): void {
    for (const session of this.#sessions) session.destroy()
  }

  #track(session: ServerHttp2Session): void {
    this.#sessions.add(session)
    let open = 0
    let idle: NodeJS.Timeout | undefined
    const arm = (): void => {
      idle = setTimeout(() => this.#closeIdle(session), this.#idleMs).unref()
    }
    arm()
    session.on('stream', (stream) => {
      open++
      clearTimeout(idle)
      stream.once('close', () => {
        if (--open === 0 && !session.closed) arm()
      })
    })
    // A reset connection: its streams' `close` events already report the aborts.
    session.on('error', () => undefined)
    session.once('close', () => {
      clearTimeout(idle)
      this.#sessions.delete(session)
    })
  }

  /** Closes a session that has no open stream. */
  #closeIdle(session: ServerHttp2Session): void {
    if (session.closed || session.destroyed) return
    session.close()
    // A peer that never acknowledges must not hold the socket open.
    setTimeout(() => session.destroy(), GOAWAY_GRACE_MS).unref()
  }
}
