/**
 * A {@link RateLimitStore} in Redis (ioredis): the token bucket of {@link takeTokens}, run atomically in one
 * Lua script on the Redis server, so any number of processes enforce one limit exactly.
 */
import { createHash } from 'node:crypto'
import type { Cluster, Redis } from 'ioredis'
import { ERR, HttpError } from '../../errors.js'
import { createLogger, type Logger } from '../../logger.js'
import type { BucketPolicy, ConsumeResult, RateLimitStore } from './store.js'
import { redisCall } from '../../redis/call.js'

/**
 * The token-bucket step of `takeTokens()` in Lua. The clock is Redis's own `TIME` (ms, with µs precision), so
 * the instances' clocks never disagree about a bucket; that needs Redis >= 5 (script effects replication,
 * the only mode since Redis 7). Numbers are passed as `%.17g` strings so fractional tokens survive exactly.
 * A bucket expires once it would be full again: an absent key is a full bucket, so no state is lost.
 * Returns `{ allowed (0|1), tokens left }`.
 */
const TAKE_TOKENS_LUA = `
local capacity = tonumber(ARGV[1])
local refill_ms = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local per_ms = capacity / refill_ms
local saved = redis.call('HMGET', KEYS[1], 't', 'u')
local tokens = tonumber(saved[1])
local updated = tonumber(saved[2])
if tokens == nil or updated == nil then
  tokens = capacity
  updated = now
end
tokens = math.min(capacity, tokens + math.max(0, now - updated) * per_ms)
local allowed = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
end
local full_in_ms = math.ceil((capacity - tokens) / per_ms)
if full_in_ms > 0 then
  redis.call('HSET', KEYS[1], 't', string.format('%.17g', tokens), 'u', string.format('%.17g', now))
  redis.call('PEXPIRE', KEYS[1], full_in_ms)
else
  redis.call('DEL', KEYS[1])
end
return { allowed, string.format('%.17g', tokens) }
`

/** The name the script is defined under on the client (ioredis `defineCommand`). */
const COMMAND = 'swiftletTakeTokens'

/** Keys longer than this (in UTF-16 units) are stored by their SHA-256, so a client cannot grow Redis keys. */
const MAX_PLAIN_KEY = 128

type TakeTokens = (key: string, capacity: string, refillMs: string, cost: string) => Promise<unknown>

/** Options for {@link RedisRateLimitStore}. */
export interface RedisRateLimitStoreOptions {
  /** Prepended to every bucket key (after the client's own `keyPrefix`, if any). @default 'swiftlet:ratelimit:' */
  prefix?: string
  /**
   * What a request gets while Redis is unreachable or slower than `timeoutMs`: `'allow'` lets it through
   * (fail open; a warn line when an outage begins, an info line when it ends); `'deny'` answers **503**
   * `ERR_SERVICE_UNAVAILABLE` with `Retry-After: 1` (fail closed). @default 'allow'
   */
  onUnavailable?: 'allow' | 'deny'
  /** Ms to wait for Redis before treating it as unavailable. @default 500 */
  timeoutMs?: number
  /** Where the outage lines go; pass `app.log`. @default a new pino logger (JSON on stdout) */
  logger?: Logger
}

/**
 * Rate-limit buckets in Redis, shared by every process using the same Redis and `prefix`. One Lua script per
 * request (EVALSHA, falling back to EVAL when the server does not know the script yet, via ioredis
 * `defineCommand`) reads, refills, takes and writes the bucket atomically; keys expire when the bucket
 * would be full again. The client stays yours: the store never connects, quits or reconfigures it (it only
 * defines the script command on it). While the client is reconnecting, requests are not queued behind it:
 * Redis counts as unavailable at once.
 *
 * @example
 * const redis = new Redis(process.env.REDIS_URL!)
 * app.use(rateLimit({ limit: 100, store: new RedisRateLimitStore(redis, { logger: app.log }) }))
 * app.onShutdown(() => redis.quit())
 */
export class RedisRateLimitStore implements RateLimitStore {
  readonly #client: Redis | Cluster
  readonly #take: TakeTokens
  readonly #prefix: string
  readonly #failOpen: boolean
  readonly #timeoutMs: number
  #log: Logger | undefined
  /** Requests answered without Redis in the current outage; undefined while Redis answers. */
  #outage: { since: number; requests: number } | undefined

  /**
   * @param client - A connected (or connecting) ioredis `Redis` or `Cluster`.
   * @param options - See {@link RedisRateLimitStoreOptions}.
   * @throws RangeError when `timeoutMs` is not a positive number.
   */
  constructor(client: Redis | Cluster, options: RedisRateLimitStoreOptions = {}) {
    this.#client = client
    this.#prefix = options.prefix ?? 'swiftlet:ratelimit:'
    this.#failOpen = (options.onUnavailable ?? 'allow') === 'allow'
    this.#timeoutMs = options.timeoutMs ?? 500
    if (!(this.#timeoutMs > 0)) throw new RangeError('RedisRateLimitStore: timeoutMs must be > 0')
    this.#log = options.logger
    const commands = client as unknown as Record<string, unknown>
    if (typeof commands[COMMAND] !== 'function') {
      client.defineCommand(COMMAND, { lua: TAKE_TOKENS_LUA, numberOfKeys: 1 })
    }
    this.#take = (commands[COMMAND] as TakeTokens).bind(client)
  }

  /** The Redis key holding the bucket of `key`. */
  keyOf(key: string): string {
    if (key.length <= MAX_PLAIN_KEY) return this.#prefix + key
    return `${this.#prefix}sha256:${createHash('sha256').update(key).digest('base64url')}`
  }

  /**
   * Takes `cost` tokens from the bucket of `key` in Redis.
   * @throws HttpError 503 `ERR_SERVICE_UNAVAILABLE` when Redis is unavailable and `onUnavailable` is `'deny'`.
   */
  async consume(key: string, cost: number, policy: BucketPolicy): Promise<ConsumeResult> {
    let reply: unknown
    try {
      // String(number) is the shortest text that reads back as the same double (Lua's tonumber included).
      const args = [String(policy.capacity), String(policy.refillMs), String(cost)] as const
      reply = await this.#call(() => this.#take(this.keyOf(key), ...args))
    } catch (err) {
      return this.#unavailable(err, cost, policy)
    }
    this.#recovered()
    return toResult(reply, cost, policy)
  }

  /**
   * Forgets the bucket of `key`.
   * @throws Error from Redis (reset is an explicit action: its failure is not hidden).
   */
  async reset(key: string): Promise<void> {
    await this.#call(() => this.#client.del(this.keyOf(key)))
  }

  /** Runs `command` unless the client is reconnecting; rejects after `timeoutMs`. */
  #call<T>(command: () => Promise<T>): Promise<T> {
    return redisCall(this.#client, this.#timeoutMs, command)
  }

  /** Created on first use: a store that never sees an outage starts no logger (nor pino-pretty's thread). */
  #logger(): Logger {
    return (this.#log ??= createLogger())
  }

  #unavailable(err: unknown, cost: number, policy: BucketPolicy): ConsumeResult {
    if (this.#outage === undefined) {
      this.#outage = { since: Date.now(), requests: 0 }
      this.#logger().warn(
        { err, failOpen: this.#failOpen },
        `rate limit: redis unavailable; ${this.#failOpen ? 'allowing' : 'refusing (503)'} requests until it answers`,
      )
    }
    this.#outage.requests++
    if (!this.#failOpen) {
      throw new HttpError(503, 'rate limit store unavailable', {
        code: ERR.SERVICE_UNAVAILABLE,
        headers: { 'retry-after': '1' },
        cause: err,
      })
    }
    // Nothing is known about the bucket: answer as a full one would.
    return { allowed: true, remaining: Math.floor(policy.capacity - cost), retryAfterMs: 0, resetMs: 0 }
  }

  #recovered(): void {
    if (this.#outage === undefined) return
    const { since, requests } = this.#outage
    this.#outage = undefined
    this.#logger().info({ outageMs: Date.now() - since, requests }, 'rate limit: redis answers again')
  }
}

/** The script's `{ allowed, tokens }` as the same result `takeTokens()` gives. */
function toResult(reply: unknown, cost: number, policy: BucketPolicy): ConsumeResult {
  if (!Array.isArray(reply) || reply.length !== 2) throw new Error('rate limit: unexpected reply from redis')
  const allowed = Number(reply[0]) === 1
  const tokens = Number(reply[1])
  const perMs = policy.capacity / policy.refillMs
  return {
    allowed,
    remaining: Math.floor(tokens),
    retryAfterMs: allowed ? 0 : Math.ceil((cost - tokens) / perMs),
    resetMs: Math.ceil((policy.capacity - tokens) / perMs),
  }
}
