/**
 * The chat's WebSocket route: who may join (checked in the upgrade step, before any 101), what a message
 * must look like, and how rooms map onto uWS topics. Each handler is a small method; `route()` hands them to
 * `app.ws()`.
 */
import sjson from 'secure-json-parse'
import {
  HttpError,
  type App,
  type UpgradeRequest,
  type WebSocketConnection,
  type WebSocketMessage,
  type WebSocketRoute,
} from '../../src/index.js'
import {
  describeIssues,
  incomingSchema,
  JoinRequest,
  type ChatMessage,
  type ServerMessage,
} from './protocol.js'
import { Rooms } from './rooms.js'

/** Settings of {@link ChatRoute}, in the units their names say. */
export interface ChatLimits {
  historySize: number
  maxRooms: number
  maxMessageBytes: number
  maxTextLength: number
  messagesPerSecond: number
}

/** Per-connection data, made by the upgrade step. */
export interface Member {
  room: string
  nick: string
  /** Start of the current one-second rate window (ms since the epoch), and messages in it. */
  windowStart: number
  sent: number
}

type RoomParams = { room: string }
type Conn = WebSocketConnection<Member, RoomParams>

const topicOf = (room: string): string => `room:${room}`

/** The `/ws/:room` route of one chat app. */
export class ChatRoute {
  readonly #app: App
  readonly #limits: ChatLimits
  readonly #rooms: Rooms
  readonly #incoming: ReturnType<typeof incomingSchema>
  #nextId = 1

  constructor(app: App, limits: ChatLimits) {
    this.#app = app
    this.#limits = limits
    this.#rooms = new Rooms(limits.historySize, limits.maxRooms)
    this.#incoming = incomingSchema(limits.maxTextLength)
  }

  /** The handlers, for `app.ws('/ws/:room', ...)`. */
  route(): WebSocketRoute<RoomParams, Member> {
    return {
      maxPayloadLength: this.#limits.maxMessageBytes,
      upgrade: (req) => this.#upgrade(req),
      open: (ws) => this.#open(ws),
      message: (ws, frame) => this.#message(ws, frame),
      close: (ws) => this.#close(ws),
    }
  }

  /** Before the 101: same-origin pages only, a valid nick and room, and space for the room. */
  #upgrade(req: UpgradeRequest<RoomParams>): Member {
    const log = this.#app.log
    // Browsers send Origin on every WebSocket handshake and CORS does not apply: without this check any
    // site a user visits could join as them. Clients that are not browsers send none.
    const origin = req.headers.origin
    if (origin !== undefined && !sameOrigin(origin, req.headers.host)) {
      log.info({ origin, path: req.path }, 'chat: cross-origin join refused')
      throw new HttpError(403, 'cross-origin WebSocket refused')
    }
    const parsed = JoinRequest.safeParse({ room: req.params.room, nick: req.query.get('nick') ?? '' })
    if (!parsed.success) {
      const reason = describeIssues(parsed.error)
      log.info({ path: req.path, reason }, 'chat: join refused')
      throw new HttpError(422, reason)
    }
    const { room, nick } = parsed.data
    if (!this.#rooms.canOpen(room)) {
      log.warn({ room }, 'chat: too many rooms, join refused')
      throw new HttpError(503, 'too many rooms open; try an existing room', { expose: true })
    }
    return { room, nick, windowStart: 0, sent: 0 }
  }

  #open(ws: Conn): void {
    const { room, nick } = ws.data
    const joined = this.#rooms.join(room)
    ws.subscribe(topicOf(room))
    send(ws, { type: 'welcome', room, nick, members: joined.members, history: joined.history })
    // ws.publish reaches everyone in the room but this socket: the newcomer has its welcome already.
    ws.publish(topicOf(room), { type: 'join', nick, members: joined.members })
  }

  #message(ws: Conn, frame: WebSocketMessage): void {
    if (typeof frame !== 'string') {
      ws.close(1003, 'text frames only') // RFC 6455 §7.4.1: 1003, a type of data it cannot accept
      return
    }
    if (this.#overRate(ws.data)) {
      const perSecond = this.#limits.messagesPerSecond
      send(ws, { type: 'error', message: `slow down: at most ${perSecond} messages a second` })
      return
    }
    const text = this.#parse(ws, frame)
    if (text === undefined) return
    const entry: ChatMessage = {
      type: 'message',
      id: this.#nextId++,
      nick: ws.data.nick,
      text,
      at: new Date().toISOString(),
    }
    this.#rooms.record(ws.data.room, entry)
    this.#app.publish(topicOf(ws.data.room), entry) // to everyone in the room, the sender included
  }

  #close(ws: Conn): void {
    const { room, nick } = ws.data
    // The socket is closed here, so the notice goes through app.publish (ws.publish would be ignored).
    this.#app.publish(topicOf(room), { type: 'leave', nick, members: this.#rooms.leave(room) })
  }

  /** Counts a message in the member's one-second window; true when it is over the limit. */
  #overRate(member: Member): boolean {
    const now = Date.now()
    if (now - member.windowStart >= 1000) {
      member.windowStart = now
      member.sent = 0
    }
    const limit = this.#limits.messagesPerSecond
    if (++member.sent === limit + 1) this.#app.log.info({ nick: member.nick }, 'chat: rate limited')
    return member.sent > limit
  }

  /** The text of a valid `say` message, or undefined after replying with what is wrong. */
  #parse(ws: Conn, frame: string): string | undefined {
    const { room, nick } = ws.data
    let parsed
    try {
      // secure-json-parse: a `__proto__` key is an error, never a property that reaches a prototype.
      parsed = this.#incoming.safeParse(sjson.parse(frame, undefined, { protoAction: 'error' }))
    } catch {
      this.#app.log.info({ room, nick }, 'chat: message is not JSON')
      send(ws, { type: 'error', message: 'expected JSON: {"type":"say","text":"..."}' })
      return undefined
    }
    if (parsed.success) return parsed.data.text
    const reason = describeIssues(parsed.error)
    this.#app.log.info({ room, nick, reason }, 'chat: message refused')
    send(ws, { type: 'error', message: reason })
    return undefined
  }
}

/** Sends one typed server message (as JSON text). */
function send(ws: Conn, message: ServerMessage): boolean {
  return ws.send(message)
}

/**
 * True when `origin` (`http://host:port`) names the same host and port as the `Host` header. Behind a proxy,
 * have it pass the original Host on (nginx: `proxy_set_header Host $host;`).
 */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false
  try {
    // Both through URL, so case and default ports (`:80`) compare equal.
    return new URL(origin).host === new URL(`http://${host}`).host
  } catch {
    return false // `null` (sandboxed frames, file: pages) or garbage
  }
}
