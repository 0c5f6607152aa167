/**
 * Channels: named groups of WebSocket connections (in the spirit of Nexios's ChannelBox), built on uWS's
 * native topics, so a broadcast is one publish that fans out in C++, not one send per member. With a
 * broker, broadcasts and sends to one connection reach the other processes too.
 */
import type { WebSocketConnection } from '../websocket.js'
import { RESERVED_TOPIC_PREFIX, type PubSub } from './hub.js'

/** Any open connection, whatever its route's data and params. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyConnection = WebSocketConnection<any, any>

/** One group as listed by {@link Channels.groups}. */
export interface GroupInfo {
  name: string
  /** Members connected to this process. */
  members: number
}

/** Options for {@link Channels.broadcast}. */
export interface BroadcastOptions {
  /** A connection (or its id) that does not receive the message, typically the sender. */
  except?: AnyConnection | string
}

const GROUP_TOPIC = `${RESERVED_TOPIC_PREFIX}group:`

/** The uWS topic behind a group (reserved prefix, so groups never collide with `app.publish` topics). */
export function groupTopic(group: string): string {
  return GROUP_TOPIC + group
}

/**
 * The groups of one app, as `app.channels`. Membership is per process: `groups()` and `members()` count
 * the connections of this process; broadcasts reach members everywhere when the app has a broker.
 * A connection leaves all its groups when it closes.
 */
export class Channels {
  readonly #hub: PubSub
  readonly #groups = new Map<string, Set<AnyConnection>>()
  readonly #memberships = new Map<string, Set<string>>()

  /** @internal */
  constructor(hub: PubSub) {
    this.#hub = hub
    hub.onClose((connection) => this.#forget(connection))
  }

  /**
   * Adds `ws` to `group`. @returns false when it was already a member or is closed.
   * @throws TypeError for an empty group name.
   */
  join(group: string, ws: AnyConnection): boolean {
    checkName(group)
    if (ws.closed) return false
    const memberships = this.#memberships.get(ws.id) ?? new Set<string>()
    if (memberships.has(group)) return false
    ws.subscribe(groupTopic(group))
    memberships.add(group)
    this.#memberships.set(ws.id, memberships)
    const members = this.#groups.get(group) ?? new Set<AnyConnection>()
    members.add(ws)
    this.#groups.set(group, members)
    return true
  }

  /** Removes `ws` from `group`. @returns false when it was not a member. */
  leave(group: string, ws: AnyConnection): boolean {
    const memberships = this.#memberships.get(ws.id)
    if (!memberships?.delete(group)) return false
    if (memberships.size === 0) this.#memberships.delete(ws.id)
    ws.unsubscribe(groupTopic(group))
    this.#dropMember(group, ws)
    return true
  }

  /**
   * Sends `message` to every member of `group` (text for a string, binary for bytes, JSON otherwise), in
   * this process natively and in the others through the broker.
   * @returns true when published here or forwarded to the broker.
   * @throws TypeError for an empty group name.
   */
  broadcast(group: string, message: unknown, options: BroadcastOptions = {}): boolean {
    checkName(group)
    return this.#hub.publish(groupTopic(group), message, options.except)
  }

  /**
   * Sends to one connection by id: directly when it is connected to this process, else through the broker.
   * @returns false when the connection is closed, its send was dropped (backpressure), or it is unknown
   *   here and there is no broker.
   */
  send(connectionId: string, message: unknown): boolean {
    return this.#hub.sendTo(connectionId, message)
  }

  /** The groups with members in this process, with their member counts. */
  groups(): GroupInfo[] {
    return [...this.#groups].map(([name, members]) => ({ name, members: members.size }))
  }

  /** The members of `group` connected to this process. */
  members(group: string): AnyConnection[] {
    return [...(this.#groups.get(group) ?? [])]
  }

  /** The groups `ws` belongs to. */
  groupsOf(ws: AnyConnection): string[] {
    return [...(this.#memberships.get(ws.id) ?? [])]
  }

  /** An open connection of this process, by id. */
  connection(connectionId: string): AnyConnection | undefined {
    return this.#hub.connection(connectionId)
  }

  /** Auto-leave: uWS drops a closed socket's subscriptions itself; forget its memberships. */
  #forget(ws: AnyConnection): void {
    const memberships = this.#memberships.get(ws.id)
    if (!memberships) return
    this.#memberships.delete(ws.id)
    for (const group of memberships) this.#dropMember(group, ws)
  }

  #dropMember(group: string, ws: AnyConnection): void {
    const members = this.#groups.get(group)
    if (!members) return
    members.delete(ws)
    if (members.size === 0) this.#groups.delete(group)
  }
}

function checkName(group: string): void {
  if (typeof group !== 'string' || group === '')
    throw new TypeError('a group name must be a non-empty string')
}
