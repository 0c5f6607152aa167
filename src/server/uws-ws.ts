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
import type { RequestHeaders } from '../request.js'
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

/** Builds the uWS behaviour for every WebSocket route of an app. */
export function webSocketBehavior(
  routes: RouteMatcher<WebSocketRouteRecord>,
  largestPayload: number,
  options: WebSocketOptions,
  log: Logger,
): WebSocketBehavior<SocketData> {
  return {
    // uWS ends a message over its own limit abruptly (1006, no close frame): keep its limit well above ours
    // and enforce ours in JS, so clients get a proper 1009 (UWS-NOTES).
    maxPayloadLength: Math.max(largestPayload * 2, largestPayload + 1024 * 1024),
    idleTimeout: options.idleTimeout ?? 120,
    maxBackpressure: options.maxBackpressure ?? 1024 * 1024,
    sendPingsAutomatically: true,
    upgrade: (res, req, context) => upgrade(routes, log, res, req, context),
    open: (ws) => {
      const socket = ws.getUserData()
      const conn = (socket.conn = new UwsConnection(ws, socket))
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
    const headers: RequestHeaders = Object.create(null)
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
