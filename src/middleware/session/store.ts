/**
 * Where session data lives between requests: a small async interface, and an in-memory implementation for
 * one process; `RedisSessionStore` (redis-store.ts) shares sessions between processes.
 */

/** Session data: any JSON-safe object. */
export type SessionData = Record<string, unknown>

/** A session store. Every method may be async; ids are opaque random strings. */
export interface SessionStore {
  /** The data saved under `id`, or undefined when unknown or expired. */
  get(id: string): Promise<SessionData | undefined> | SessionData | undefined
  /** Saves `data` under `id` for `maxAge` seconds from now (also used to extend a rolling session). */
  set(id: string, data: SessionData, maxAge: number): Promise<void> | void
  /** Forgets `id`. */
  destroy(id: string): Promise<void> | void
}

/** Options for {@link MemorySessionStore}. */
export interface MemorySessionStoreOptions {
  /** How often expired entries are swept, in seconds (checked on `set`; no timer is left running). @default 60 */
  sweepInterval?: number
  /** Clock in ms, for tests. @default Date.now */
  now?: () => number
}

interface Entry {
  json: string
  expires: number
}

/**
 * An in-memory {@link SessionStore} for one process: data is held as JSON (so what you store behaves as it
 * would in a networked store), expired entries read as undefined and are swept periodically.
 * Not shared between processes and lost on restart.
 */
export class MemorySessionStore implements SessionStore {
  readonly #entries = new Map<string, Entry>()
  readonly #sweepMs: number
  readonly #now: () => number
  #nextSweep: number

  /** @param options - Sweep interval and clock. */
  constructor(options: MemorySessionStoreOptions = {}) {
    this.#sweepMs = (options.sweepInterval ?? 60) * 1000
    this.#now = options.now ?? Date.now
    this.#nextSweep = this.#now() + this.#sweepMs
  }

  /** Number of entries held (expired ones included until swept). */
  get size(): number {
    return this.#entries.size
  }

  /** @inheritDoc SessionStore.get */
  get(id: string): SessionData | undefined {
    const entry = this.#entries.get(id)
    if (entry === undefined) return undefined
    if (entry.expires <= this.#now()) {
      this.#entries.delete(id)
      return undefined
    }
    return JSON.parse(entry.json) as SessionData
  }

  /** @inheritDoc SessionStore.set */
  set(id: string, data: SessionData, maxAge: number): void {
    const now = this.#now()
    this.#entries.set(id, { json: JSON.stringify(data), expires: now + maxAge * 1000 })
    if (now >= this.#nextSweep) this.#sweep(now)
  }

  /** @inheritDoc SessionStore.destroy */
  destroy(id: string): void {
    this.#entries.delete(id)
  }

  #sweep(now: number): void {
    this.#nextSweep = now + this.#sweepMs
    for (const [id, entry] of this.#entries) if (entry.expires <= now) this.#entries.delete(id)
  }
}
