/** Token buckets: the arithmetic, the store interface, and the in-memory store. */

/** A bucket's shape: how many tokens it holds at most and how fast it refills. */
export interface BucketPolicy {
  /** Tokens a full bucket holds: the burst allowed. */
  capacity: number
  /** Milliseconds to refill an empty bucket completely. */
  refillMs: number
}

/** A bucket as stored: tokens left and when that was computed (ms since the epoch). */
export interface BucketState {
  tokens: number
  updatedAt: number
}

/** The answer of a store for one request. */
export interface ConsumeResult {
  /** True when enough tokens were there and they were taken. */
  allowed: boolean
  /** Whole tokens left after this request. */
  remaining: number
  /** Ms until the bucket holds enough tokens for this request again (0 when allowed). */
  retryAfterMs: number
  /** Ms until the bucket is full again. */
  resetMs: number
}

/**
 * Where buckets live. The in-memory store serves one process; a shared store (Redis...) lets several
 * processes enforce one limit and must take tokens atomically (e.g. a Lua script running {@link takeTokens}).
 */
export interface RateLimitStore {
  /** Takes `cost` tokens from the bucket of `key` when it has them. May be async. */
  consume(key: string, cost: number, policy: BucketPolicy): ConsumeResult | Promise<ConsumeResult>
  /** Forgets the bucket of `key` (after a successful login, for instance). */
  reset(key: string): void | Promise<void>
}

/**
 * The token-bucket step, pure: refills `state` for the time elapsed since it was updated, then takes
 * `cost` tokens when they are there. Mutates and returns `state`.
 */
export function takeTokens(
  state: BucketState,
  cost: number,
  policy: BucketPolicy,
  now: number,
): ConsumeResult & { state: BucketState } {
  const perMs = policy.capacity / policy.refillMs
  state.tokens = Math.min(policy.capacity, state.tokens + Math.max(0, now - state.updatedAt) * perMs)
  state.updatedAt = now
  const allowed = state.tokens >= cost
  if (allowed) state.tokens -= cost
  return {
    state,
    allowed,
    remaining: Math.floor(state.tokens),
    retryAfterMs: allowed ? 0 : Math.ceil((cost - state.tokens) / perMs),
    resetMs: Math.ceil((policy.capacity - state.tokens) / perMs),
  }
}

/** Options for {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Clock in ms. @default Date.now */
  now?: () => number
  /** At most this many keys are kept; beyond it the least recently used bucket is dropped. @default 100000 */
  maxKeys?: number
}

/**
 * One process's buckets in a Map, least recently used first. The key count is bounded: beyond `maxKeys`
 * the least recently used bucket is dropped (as if full again), so a flood of distinct keys cannot exhaust
 * memory; size `maxKeys` above the number of clients you expect within one window.
 */
export class MemoryStore implements RateLimitStore {
  readonly #buckets = new Map<string, BucketState>()
  readonly #now: () => number
  readonly #maxKeys: number

  constructor(options: MemoryStoreOptions = {}) {
    this.#now = options.now ?? Date.now
    this.#maxKeys = options.maxKeys ?? 100_000
  }

  /** Keys currently held. */
  get size(): number {
    return this.#buckets.size
  }

  consume(key: string, cost: number, policy: BucketPolicy): ConsumeResult {
    const now = this.#now()
    const state = this.#buckets.get(key) ?? { tokens: policy.capacity, updatedAt: now }
    // Re-inserting moves the key to the end: Map order is then least recently used first.
    this.#buckets.delete(key)
    const { state: next, ...result } = takeTokens(state, cost, policy, now)
    this.#buckets.set(key, next)
    if (this.#buckets.size > this.#maxKeys) {
      const oldest = this.#buckets.keys().next()
      if (!oldest.done) this.#buckets.delete(oldest.value)
    }
    return result
  }

  reset(key: string): void {
    this.#buckets.delete(key)
  }
}
