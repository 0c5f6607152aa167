/**
 * WebSockets on the uWS core: one catch-all WebSocket behaviour, routed by Swiftlet's own segment tree.
 * Uses uWebSockets.js types only; the module itself is loaded by uws.ts alone.
 */
import { randomUUID } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import type {
  HttpRequest,
  HttpResponse,
  us_socket_context_t,
  WebSocket,
  WebSocketBehavior,
} from 'uWebSockets.js'
import { decodeParams } from '../dispatch.js'
import { HttpError, toHttpError } from '../errors.js'
import type { Logger } from '../logger.js'
import { emptyHeaders } from '../request.js'
import { statusLine } from '../response.js'
import { normalizePath } from '../router/path.js'
import type { RouteMatcher } from '../router/types.js'
import {
  encode,
  parseMessage,
  type InvalidMessage,
  type WebSocketConnection,
  type WebSocketMessage,
  type WebSocketOptions,
  type WebSocketRouteRecord,
} from '../websocket.js'

export { encode } from '../websocket.js'

/** Per-socket data uWS keeps for us. */
interface SocketData {
  record: WebSocketRouteRecord
  params: Record<string, string>
  data: unknown
  conn?: UwsConnection
}

/** What every open WebSocket gets when the server shuts down: 1001 "going away" (RFC 6455 §7.4.1). */
export const GOING_AWAY = { code: 1001, reason: 'server shutting down' } as const

/**
 * How long shutdown lets the 1001 close frames flush before the sockets are closed, in ms (it runs during
 * the drain, so it only adds time when the drain is shorter). uWS reports nothing once it has sent a close
 * frame, so this is a bound, not a wait for each closing handshake.
 */
export const GOING_AWAY_FLUSH_MS = 250

/**
 * The message size uWS itself accepts, in bytes: the larger of 1 MiB and twice the largest route limit.
 * uWS buffers a message up to this size before JavaScript sees it (memory per connection, so it stays
 * bounded); Swiftlet closes a message over the route's limit with 1009, while uWS ends one over this cap
 * abruptly (1006, no close frame, UWS-NOTES).
 */
export function uwsPayloadCap(largestRouteLimit: number): number {
  return Math.max(largestRouteLimit * 2, 1024 * 1024)
}

/** The open WebSockets of one server, so shutdown can close each with {@link GOING_AWAY}. */
export class OpenWebSockets {
  readonly #open = new Set<UwsConnection>()
  #goingAway = false

  /** True once {@link goAway} ran: new upgrades are refused with 503. */
  get goingAway(): boolean {
    return this.#goingAway
  }

  add(conn: UwsConnection): void {
    this.#open.add(conn)
  }
  delete(conn: UwsConnection): void {
    this.#open.delete(conn)
  }

  /**
   * Sends every open socket a close frame 1001; each route's close handler runs now, once, with 1001.
   * @returns how many sockets were closed.
   */
  goAway(): number {
    this.#goingAway = true
    // A close handler runs inside end() and removes its socket from the set: iterate over a copy.
    const open = [...this.#open]
    for (const conn of open) conn.close(GOING_AWAY.code, GOING_AWAY.reason)
    return open.length
  }
}

/** Builds the uWS behaviour for every WebSocket route of an app. */
export function webSocketBehavior(
  routes: RouteMatcher<WebSocketRouteRecord>,
  largestPayload: number,
  options: WebSocketOptions,
  log: Logger,
  sockets: OpenWebSockets,
): WebSocketBehavior<SocketData> {
  return {
    // uWS ends a message over its own limit abruptly (1006, no close frame): keep its limit above ours and
    // enforce ours in JS, so clients get a proper 1009 up to that cap (UWS-NOTES).
    maxPayloadLength: uwsPayloadCap(largestPayload),
    idleTimeout: options.idleTimeout ?? 120,
    maxBackpressure: options.maxBackpressure ?? 1024 * 1024,
    sendPingsAutomatically: true,
    upgrade: (res, req, context) => upgrade(routes, log, sockets, res, req, context),
    open: (ws) => {
      const socket = ws.getUserData()
      const conn = (socket.conn = new UwsConnection(ws, socket))
      sockets.add(conn)
      socket.record.hub.opened({
        connection: conn,
        publishExcept: (topic, data) => conn.publishNative(topic, data),
      })
      guard(log, conn, () => socket.record.route.open?.(conn))
    },
    message: (ws, message, isBinary) => {
      const socket = ws.getUserData()
      const conn = socket.conn as UwsConnection
      if (message.byteLength > socket.record.maxPayloadLength) {
        conn.close(1009, 'message too big')
        return
      }
      // The ArrayBuffer is only valid during this callback: copy it out.
      const data = isBinary
        ? Buffer.copyBytesFrom(new Uint8Array(message))
        : Buffer.from(message).toString('utf8')
      if (socket.record.route.schema) receiveValidated(log, conn, socket.record, data)
      else guard(log, conn, () => socket.record.route.message?.(conn, data))
    },
    drain: (ws) => {
      const socket = ws.getUserData()
      guard(log, socket.conn as UwsConnection, () =>
        socket.record.route.drain?.(socket.conn as UwsConnection),
      )
    },
    close: (ws, code, message) => {
      const socket = ws.getUserData()
      const conn = socket.conn as UwsConnection
      conn.closed = true
      sockets.delete(conn)
      const reason = Buffer.from(message).toString('utf8')
      // No exception may cross a uWS callback. Auto-leave runs after the handler, so it can still see the
      // groups it is leaving (and broadcast a farewell to them).
      try {
        socket.record.route.close?.(conn, code, reason)
      } catch (err) {
        log.error({ err }, 'WebSocket close handler failed')
      } finally {
        socket.record.hub.closed(conn)
      }
    },
  }
}

function upgrade(
  routes: RouteMatcher<WebSocketRouteRecord>,
  log: Logger,
  sockets: OpenWebSockets,
  res: HttpResponse,
  req: HttpRequest,
  context: us_socket_context_t,
): void {
  // As for every request: onAborted first, and copy what we need before any await.
  const controller = new AbortController()
  res.onAborted(() => controller.abort())
  try {
    const path = normalizePath(req.getUrl())
    const query = new URLSearchParams(req.getQuery() ?? '')
    const headers = emptyHeaders()
    req.forEach((name, value) => void (headers[name] = value))
    const ip = Buffer.from(res.getRemoteAddressAsText()).toString()
    const match = routes.match('GET', path)
    if (!match) return refuse(res, controller.signal, 404, `no WebSocket route for ${path}`)
    const params = decodeParams(match.params)
    const record = match.value
    const request = { path, params, query, headers, ip, signal: controller.signal }
    Promise.resolve()
      .then(() => record.route.upgrade?.(request))
      .then(
        (data) => {
          // A client that left during an async check gets nothing: its response is gone.
          if (controller.signal.aborted) return
          // Shutdown started during the check: a socket opened now would be cut without its 1001.
          if (sockets.goingAway) return refuse(res, controller.signal, 503, 'server shutting down')
          res.cork(() => {
            res.upgrade<SocketData>(
              { record, params, data },
              headers['sec-websocket-key'] ?? '',
              headers['sec-websocket-protocol'] ?? '',
              headers['sec-websocket-extensions'] ?? '',
              context,
            )
          })
        },
        (thrown) => {
          const error = toHttpError(thrown)
          if (error.status >= 500) log.error({ err: thrown, path }, 'WebSocket upgrade check failed')
          refuse(res, controller.signal, error.status, error.expose ? error.message : undefined)
        },
      )
  } catch (thrown) {
    const error = toHttpError(thrown)
    refuse(res, controller.signal, error.status, error.expose ? error.message : undefined)
  }
}

/** Answers the upgrade request with an HTTP error instead of a 101. */
function refuse(res: HttpResponse, signal: AbortSignal, status: number, message: string | undefined): void {
  if (signal.aborted) return
  const body = {
    status,
    code: new HttpError(status).code,
    message: message ?? STATUS_CODES[status] ?? 'Error',
  }
  res.cork(() => {
    res.writeStatus(statusLine(status)).writeHeader('content-type', 'application/json; charset=utf-8')
    res.end(JSON.stringify(body))
  })
}

/**
 * Parses and validates a message against the route's schema; the handler gets the result, an invalid
 * message gets the route's policy (an error frame by default) and a warn line.
 */
function receiveValidated(
  log: Logger,
  conn: UwsConnection,
  record: WebSocketRouteRecord,
  data: WebSocketMessage,
): void {
  const { route } = record
  guard(log, conn, async () => {
    const parsed = await parseMessage(route.schema as NonNullable<typeof route.schema>, data)
    // Validation may take a tick (async refinements): the socket may have closed meanwhile.
    if (conn.closed) return
    if (parsed.ok) return route.message?.(conn, parsed.value as never)
    const { problem, closeCode } = parsed
    log.warn({ route: record.pattern, connectionId: conn.id, ...problem }, 'WebSocket message refused')
    const policy = route.onInvalidMessage ?? 'reply'
    if (policy === 'reply') conn.send({ error: problem satisfies InvalidMessage })
    // The reason is the code: short ASCII, well under the 123-byte limit of a close reason (RFC 6455 §5.5).
    else if (policy === 'close') conn.close(closeCode, problem.code)
    else return policy(conn, problem)
  })
}

/** Runs a user handler; an exception or rejection is logged and closes the socket with 1011. */
function guard(log: Logger, conn: UwsConnection, run: () => unknown): void {
  const fail = (err: unknown): void => {
    log.error({ err }, 'WebSocket handler failed')
    conn.close(1011, 'internal error')
  }
  try {
    const result = run()
    if (result instanceof Promise) result.catch(fail)
  } catch (err) {
    fail(err)
  }
}

/** The WebSocketConnection handed to route handlers. */
class UwsConnection implements WebSocketConnection {
  readonly id = randomUUID()
  closed = false
  readonly #ws: WebSocket<SocketData>
  readonly #socket: SocketData

  constructor(ws: WebSocket<SocketData>, socket: SocketData) {
    this.#ws = ws
    this.#socket = socket
  }

  get params(): Record<string, string> {
    return this.#socket.params
  }
  get data(): unknown {
    return this.#socket.data
  }
  get bufferedAmount(): number {
    return this.closed ? 0 : this.#ws.getBufferedAmount()
  }

  send(message: unknown): boolean {
    if (this.closed) return false
    const [data, binary] = encode(message)
    // 0: queued with backpressure (will drain), 1: sent, 2: dropped over maxBackpressure.
    return this.#ws.send(data, binary) !== 2
  }

  close(code = 1000, reason = ''): void {
    if (this.closed) return
    this.closed = true
    this.#ws.end(code, reason)
  }

  subscribe(topic: string): void {
    if (!this.closed) this.#ws.subscribe(topic)
  }
  unsubscribe(topic: string): void {
    if (!this.closed) this.#ws.unsubscribe(topic)
  }
  publish(topic: string, message: unknown): void {
    this.#socket.record.hub.publish(topic, message, this)
  }

  /** Native publish to every subscriber of `topic` but this socket (what the hub calls). */
  publishNative(topic: string, message: string | Uint8Array): boolean {
    // A closed socket cannot publish (uWS throws); the hub publishes app-wide for closed senders.
    if (this.closed) return false
    const [data, binary] = encode(message)
    return this.#ws.publish(topic, data, binary)
  }
}
