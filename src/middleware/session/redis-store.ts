/**
 * A {@link SessionStore} in Redis (ioredis): one JSON string per session with the session's lifetime as its
 * TTL, shared by every process using the same Redis and prefix.
 */
import sjson from 'secure-json-parse'
import type { Cluster, Redis } from 'ioredis'
import { ERR, HttpError } from '../../errors.js'
import type { SessionData, SessionStore } from './store.js'
import { redisCall } from '../../redis/call.js'

/** Options for {@link RedisSessionStore}. */
export interface RedisSessionStoreOptions {
  /** Prepended to every session id (after the client's own `keyPrefix`, if any). @default 'swiftlet:session:' */
  prefix?: string
  /** Ms to wait for Redis before answering 503. @default 1000 */
  timeoutMs?: number
}

/**
 * Sessions in Redis: `SET prefix+id <json> PX maxAge` on save, `GET` on load, `DEL` on destroy, `PEXPIRE` on
 * {@link touch}. Redis expires entries itself, so nothing needs sweeping.
 *
 * - **Prototype-safe.** Entries are parsed with secure-json-parse, which drops `__proto__` and
 *   `constructor.prototype` keys; an entry that is not a JSON object (corrupt, or written by someone else)
 *   reads as no session, so the middleware starts a new one instead of failing every request.
 * - **Redis unavailable** (reconnecting, an error, or no answer within `timeoutMs`): every method throws an
 *   HttpError **503** `ERR_SERVICE_UNAVAILABLE` with `Retry-After: 1`, so a request that needs its session
 *   gets a clear answer (logged by the app as `request failed` with the cause) and requests without a
 *   session cookie are not affected. Commands are not queued behind a reconnecting client.
 * - The client stays yours: the store never connects, quits or reconfigures it.
 *
 * @example
 * const redis = new Redis(process.env.REDIS_URL!)
 * app.use(session({ keys: [process.env.SESSION_KEY!], store: new RedisSessionStore(redis) }))
 * app.onShutdown(() => redis.quit())
 */
export class RedisSessionStore implements SessionStore {
  readonly #client: Redis | Cluster
  readonly #prefix: string
  readonly #timeoutMs: number

  /**
   * @param client - A connected (or connecting) ioredis `Redis` or `Cluster`.
   * @param options - See {@link RedisSessionStoreOptions}.
   * @throws RangeError when `timeoutMs` is not a positive number.
   */
  constructor(client: Redis | Cluster, options: RedisSessionStoreOptions = {}) {
    this.#client = client
    this.#prefix = options.prefix ?? 'swiftlet:session:'
    this.#timeoutMs = options.timeoutMs ?? 1000
    if (!(this.#timeoutMs > 0)) throw new RangeError('RedisSessionStore: timeoutMs must be > 0')
  }

  /** The Redis key of session `id`. */
  keyOf(id: string): string {
    return this.#prefix + id
  }

  /**
   * The data saved under `id`, or undefined when unknown, expired or not a JSON object.
   * @throws HttpError 503 when Redis is unavailable.
   */
  async get(id: string): Promise<SessionData | undefined> {
    const json = await this.#call(() => this.#client.get(this.keyOf(id)))
    if (json === null) return undefined
    let data: unknown
    try {
      data = sjson.parse(json, undefined, { protoAction: 'remove', constructorAction: 'remove' })
    } catch {
      return undefined
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined
    return data as SessionData
  }

  /**
   * Saves `data` under `id` for `maxAge` **seconds** (`SET ... PX`, at least 1 ms); a `maxAge` of 0 or less
   * deletes the entry.
   * @throws HttpError 503 when Redis is unavailable; TypeError when `data` cannot be serialised to JSON.
   */
  async set(id: string, data: SessionData, maxAge: number): Promise<void> {
    if (!(maxAge > 0)) return this.destroy(id)
    const json = JSON.stringify(data)
    await this.#call(() => this.#client.set(this.keyOf(id), json, 'PX', ttlMs(maxAge)))
  }

  /**
   * Forgets `id` (`DEL`).
   * @throws HttpError 503 when Redis is unavailable.
   */
  async destroy(id: string): Promise<void> {
    await this.#call(() => this.#client.del(this.keyOf(id)))
  }

  /**
   * Extends the lifetime of `id` to `maxAge` **seconds** from now without rewriting its data (`PEXPIRE`; at
   * least 1 ms, so a `maxAge` of 0 or less expires it at once).
   * @returns false when `id` is unknown or expired.
   * @throws HttpError 503 when Redis is unavailable.
   */
  async touch(id: string, maxAge: number): Promise<boolean> {
    return (await this.#call(() => this.#client.pexpire(this.keyOf(id), ttlMs(maxAge)))) === 1
  }

  /** Runs `command`, turning any failure of Redis into the 503 the methods document. */
  async #call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await redisCall(this.#client, this.#timeoutMs, command)
    } catch (cause) {
      throw new HttpError(503, 'session store unavailable', {
        code: ERR.SERVICE_UNAVAILABLE,
        headers: { 'retry-after': '1' },
        cause,
      })
    }
  }
}

/** Seconds to whole milliseconds, at least 1 (PX refuses 0). */
function ttlMs(maxAge: number): number {
  return Math.max(1, Math.round(maxAge * 1000))
}
