/**
 * The chat's in-memory state: per room, the member count and the last N messages (sent to each newcomer).
 * Bounded: at most `maxRooms` rooms are remembered; an empty room is forgotten (least recently used first)
 * to make space, and when every remembered room has members a new room is refused.
 */
import type { ChatMessage } from './protocol.js'

/** One room. */
export interface Room {
  readonly name: string
  /** Open connections in the room. */
  members: number
  /** The last messages, oldest first. */
  readonly history: ChatMessage[]
}

/** The rooms of one chat app. */
export class Rooms {
  readonly #rooms = new Map<string, Room>()
  readonly #historySize: number
  readonly #maxRooms: number

  /**
   * @param historySize - Messages kept per room.
   * @param maxRooms - Rooms remembered at once.
   */
  constructor(historySize: number, maxRooms: number) {
    this.#historySize = historySize
    this.#maxRooms = maxRooms
  }

  /**
   * True when `name` exists or there is (or can be made) space for it. Checked in the upgrade step while the
   * room is made in `open`: handshakes racing between the two can pass `maxRooms` by their number, no more.
   */
  canOpen(name: string): boolean {
    if (this.#rooms.has(name) || this.#rooms.size < this.#maxRooms) return true
    for (const room of this.#rooms.values()) if (room.members === 0) return true
    return false
  }

  /**
   * Adds a member to `name`, creating the room (forgetting an empty one if needed).
   * @returns The room, with the new member counted.
   */
  join(name: string): Room {
    let room = this.#rooms.get(name)
    if (room) {
      // Map order is the LRU order: the room just used moves to the end.
      this.#rooms.delete(name)
    } else {
      room = { name, members: 0, history: [] }
      this.#evictIfFull()
    }
    this.#rooms.set(name, room)
    room.members++
    return room
  }

  /** Removes a member. @returns The members left. */
  leave(name: string): number {
    const room = this.#rooms.get(name)
    if (!room) return 0
    room.members = Math.max(0, room.members - 1)
    return room.members
  }

  /** Appends to the room's history, dropping the oldest beyond `historySize`. */
  record(name: string, message: ChatMessage): void {
    const history = this.#rooms.get(name)?.history
    if (!history) return
    history.push(message)
    if (history.length > this.#historySize) history.splice(0, history.length - this.#historySize)
  }

  #evictIfFull(): void {
    if (this.#rooms.size < this.#maxRooms) return
    for (const [name, room] of this.#rooms) {
      if (room.members === 0) {
        this.#rooms.delete(name)
        return
      }
    }
  }
}
