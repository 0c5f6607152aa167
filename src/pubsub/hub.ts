/**
 * The app's pub/sub hub: every publish (app, connection, channel) goes through it. It publishes natively
 * on the core (uWS topics: one call fans out to every local subscriber in C++) and, when a broker is set,
 * forwards one envelope to the other processes; messages from them are published natively here, and this
 * app's own messages coming back are dropped by origin.
 */
import type { Logger } from '../logger.js'
import { encode, type WebSocketConnection } from '../websocket.js'
import type { Broker } from './broker.js'
import { newOrigin, unwrap, wrap } from './envelope.js'

/** Publishes a text (string) or binary (bytes) message on the core; false when nothing was published. */
export type NativePublish = (topic: string, message: string | Uint8Array) => boolean

/** @internal What a core registers for each open socket. */
export interface LocalSocket {
  readonly connection: WebSocketConnection<unknown, object>
  /** Native publish to every subscriber of `topic` but this socket. */
  publishExcept(topic: string, message: string | Uint8Array): boolean
}

/** Topics under this prefix are Swiftlet's own (channels, messages to one connection). */
export const RESERVED_TOPIC_PREFIX = 'swiftlet:'
/** The broker topic that carries a message to one connection, wherever it is connected. */
const CONNECTION_TOPIC = `${RESERVED_TOPIC_PREFIX}conn:`

/** @internal Owned by the App. */
export class PubSub {
  readonly #origin = newOrigin()
  readonly #broker: Broker | undefined
  readonly #log: Logger
  readonly #sockets = new Map<string, LocalSocket>()
  readonly #closeListeners: Array<(connection: WebSocketConnection<unknown, object>) => void> = []
  #native: NativePublish = () => false
  #forwardFailing = false

  constructor(log: Logger, broker: Broker | undefined) {
    this.#log = log
    this.#broker = broker
    broker?.useLogger?.(log.child({ component: 'broker' }))
  }

  /** True when messages also go to other processes. */
  get distributed(): boolean {
    return this.#broker !== undefined
  }

  /** Sets the core's native publish (once it listens). */
  useCore(native: NativePublish): void {
    this.#native = native
  }

  /** Subscribes to every topic on the broker. Never rejects: a failure is logged. */
  async start(): Promise<void> {
    if (!this.#broker) return
    try {
      await this.#broker.subscribe('*', (topic, payload) => this.#receive(topic, payload))
    } catch (err) {
      this.#log.error({ err }, 'broker: subscribing failed; messages from other processes will not arrive')
    }
  }

  /** Closes the broker. Never rejects. */
  async close(): Promise<void> {
    try {
      await this.#broker?.close()
    } catch (err) {
      this.#log.error({ err }, 'broker: close failed')
    }
  }

  /**
   * Publishes to `topic` here (natively; `except`, an open socket of this app or its id, does not receive
   * it) and forwards it to the other processes. @returns true when published here or forwarded.
   */
  publish(topic: string, message: unknown, except?: WebSocketConnection<unknown, object> | string): boolean {
    const [data, binary] = encode(message)
    const exceptId = except === undefined ? undefined : typeof except === 'string' ? except : except.id
    const here = this.#publishHere(topic, data, exceptId)
    if (!this.#broker) return here
    // The excepted id travels too: it may be a connection of another process.
    this.#forward(topic, data, binary, exceptId)
    return true
  }

  /**
   * Sends to one connection: directly when it is connected here, else through the broker (to whichever
   * process has it). @returns false when it is not here and there is no broker, or the send was dropped.
   */
  sendTo(id: string, message: unknown): boolean {
    const socket = this.#sockets.get(id)
    if (socket) return socket.connection.send(message)
    if (!this.#broker) return false
    const [data, binary] = encode(message)
    this.#forward(CONNECTION_TOPIC + id, data, binary)
    return true
  }

  /** An open connection of this app by id. */
  connection(id: string): WebSocketConnection<unknown, object> | undefined {
    return this.#sockets.get(id)?.connection
  }

  /** Number of open connections of this app. */
  get connections(): number {
    return this.#sockets.size
  }

  /** @internal The core reports a socket opened. */
  opened(socket: LocalSocket): void {
    this.#sockets.set(socket.connection.id, socket)
  }

  /** @internal The core reports a socket closed (after the route's close handler). */
  closed(connection: WebSocketConnection<unknown, object>): void {
    this.#sockets.delete(connection.id)
    for (const listener of this.#closeListeners) listener(connection)
  }

  /** @internal Runs `listener` for every closed socket. */
  onClose(listener: (connection: WebSocketConnection<unknown, object>) => void): void {
    this.#closeListeners.push(listener)
  }

  /** Native publish; a connection of this process named by `exceptId` does not receive it. */
  #publishHere(topic: string, data: string | Uint8Array, exceptId: string | undefined): boolean {
    const sender = exceptId === undefined ? undefined : this.#sockets.get(exceptId)
    // A sender that closed (its close handler broadcasting a farewell) is no longer subscribed anyway.
    if (sender && !sender.connection.closed) return sender.publishExcept(topic, data)
    return this.#native(topic, data)
  }

  #forward(topic: string, data: string | Uint8Array, binary: boolean, exceptId?: string): void {
    const broker = this.#broker as Broker
    const fail = (err: unknown): void => {
      // One line per outage: a publish per message must not flood the log while Redis is away.
      if (this.#forwardFailing) return
      this.#forwardFailing = true
      this.#log.error(
        { err, topic },
        'broker: publish failed; other processes miss messages until it recovers',
      )
    }
    try {
      const pending = broker.publish(topic, wrap(this.#origin, data, binary, exceptId))
      if (pending) pending.then(() => void (this.#forwardFailing = false), fail)
      else this.#forwardFailing = false
    } catch (err) {
      fail(err)
    }
  }

  #receive(topic: string, bytes: Buffer): void {
    const envelope = unwrap(bytes)
    if (!envelope) {
      this.#log.warn(
        { topic, bytes: bytes.byteLength },
        'broker: dropped a message that is not a Swiftlet envelope',
      )
      return
    }
    // Our own message, back from the broker: local subscribers already got it natively.
    if (envelope.origin.equals(this.#origin)) return
    const data = envelope.binary ? envelope.payload : envelope.payload.toString('utf8')
    if (topic.startsWith(CONNECTION_TOPIC)) {
      this.#sockets.get(topic.slice(CONNECTION_TOPIC.length))?.connection.send(data)
      return
    }
    this.#publishHere(topic, data, envelope.except)
  }
}
