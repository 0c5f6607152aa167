/** An async item repository standing in for a database: every call awaits, as a real driver would. */
import { setTimeout as sleep } from 'node:timers/promises'

/** A stored item. */
export interface Item {
  id: string
  name: string
  createdAt: string
}

/** In-memory items behind an async API with a configurable round-trip time. */
export class ItemStore {
  readonly #items = new Map<string, Item>()
  readonly #latencyMs: number
  #nextId = 1

  /** @param latencyMs - Simulated database round trip, in ms. @default 2 */
  constructor(latencyMs = 2) {
    this.#latencyMs = latencyMs
  }

  async list(): Promise<Item[]> {
    await sleep(this.#latencyMs)
    return [...this.#items.values()]
  }

  async get(id: string): Promise<Item | undefined> {
    await sleep(this.#latencyMs)
    return this.#items.get(id)
  }

  async create(name: string): Promise<Item> {
    await sleep(this.#latencyMs)
    const item = { id: String(this.#nextId++), name, createdAt: new Date().toISOString() }
    this.#items.set(item.id, item)
    return item
  }

  async delete(id: string): Promise<boolean> {
    await sleep(this.#latencyMs)
    return this.#items.delete(id)
  }
}
