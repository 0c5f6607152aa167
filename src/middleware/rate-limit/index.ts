/**
 * Rate limiting with a token bucket per key (IP, user, API key): 429 with `Retry-After`, and the
 * `RateLimit-*` headers of draft-ietf-httpapi-ratelimit-headers-06 on every response.
 */
import type { MiddlewareHandler, Next } from '../../compose.js'
import type { Context as AnyContext, Params } from '../../context.js'
import { ERR, HttpError } from '../../errors.js'
import { MemoryStore, type BucketPolicy, type RateLimitStore } from './store.js'

export { MemoryStore, takeTokens } from './store.js'
export type { BucketPolicy, BucketState, ConsumeResult, MemoryStoreOptions, RateLimitStore } from './store.js'
export { RedisRateLimitStore, type RedisRateLimitStoreOptions } from './redis-store.js'

type Context = AnyContext<Params, object>

/** Options for {@link rateLimit}. */
export interface RateLimitOptions {
  /** Bucket size: requests allowed in a burst, and per `windowMs` on average. @default 60 */
  limit?: number
  /** Ms to refill an empty bucket. @default 60000 */
  windowMs?: number
  /**
   * The bucket a request draws from; `undefined` exempts the request. Behind a proxy, derive the client
   * address from a header your proxy sets, not from one the client can send. @default the remote address
   */
  key?: (ctx: Context) => string | undefined | Promise<string | undefined>
  /** Tokens a request takes (must be <= `limit`). @default 1 */
  cost?: number | ((ctx: Context) => number)
  /** Where buckets live. @default a new {@link MemoryStore} */
  store?: RateLimitStore
  /** Sends the `RateLimit-*` headers on every response, not only on 429. @default true */
  headers?: boolean
  /** Message of the 429 error. @default 'Too many requests' */
  message?: string
}

function delaySeconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000))
}

/**
 * Rate-limit middleware. When the bucket of the request's key lacks tokens it throws an HttpError 429
 * (`ERR_TOO_MANY_REQUESTS`) with `Retry-After` in seconds (RFC 9110 §10.2.3), so `app.onError` shapes the
 * body. `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (seconds until the bucket is full) and
 * `RateLimit-Policy` (`<limit>;w=<window seconds>`) follow draft-ietf-httpapi-ratelimit-headers-06.
 * Errors of the store propagate (a 500): wrap the store to fail open if you prefer.
 *
 * @param options - See {@link RateLimitOptions}.
 * @returns A middleware named `rateLimit`.
 * @throws RangeError for a `limit` or `windowMs` that is not a positive number, or a `cost` above `limit`.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-httpapi-ratelimit-headers-06
 * @see https://www.rfc-editor.org/rfc/rfc6585#section-4 (429)
 */
export function rateLimit(options: RateLimitOptions = {}): MiddlewareHandler<object> {
  const limit = options.limit ?? 60
  const windowMs = options.windowMs ?? 60_000
  if (!(limit > 0) || !(windowMs > 0)) throw new RangeError('rateLimit: limit and windowMs must be > 0')
  const policy: BucketPolicy = { capacity: limit, refillMs: windowMs }
  const store = options.store ?? new MemoryStore()
  const keyOf = options.key ?? ((ctx: Context) => ctx.req.ip)
  const cost = options.cost ?? 1
  if (typeof cost === 'number' && !(cost > 0 && cost <= limit)) {
    throw new RangeError('rateLimit: cost must be > 0 and <= limit')
  }
  const sendHeaders = options.headers ?? true
  const policyHeader = `${limit};w=${delaySeconds(windowMs)}`
  const message = options.message ?? 'Too many requests'

  return async function rateLimit(ctx: Context, next: Next): Promise<void> {
    const key = await keyOf(ctx)
    if (key === undefined) return next()
    const result = await store.consume(key, typeof cost === 'function' ? cost(ctx) : cost, policy)
    if (sendHeaders || !result.allowed) {
      // Set before next(): error responses downstream keep them.
      ctx.header('ratelimit-policy', policyHeader)
      ctx.header('ratelimit-limit', limit)
      ctx.header('ratelimit-remaining', result.remaining)
      ctx.header('ratelimit-reset', delaySeconds(result.resetMs))
    }
    if (!result.allowed) {
      throw new HttpError(429, message, {
        code: ERR.TOO_MANY_REQUESTS,
        headers: { 'retry-after': String(Math.max(1, delaySeconds(result.retryAfterMs))) },
      })
    }
    await next()
  }
}
