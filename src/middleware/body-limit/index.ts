/**
 * A body size limit per route or router, lower or higher than the app-wide `limits.body`. Sized when routes
 * freeze, so the server core can refuse a too-large declared body before routing and buffer up to the
 * route's own limit.
 */
import type { MiddlewareHandler, Next } from '../../compose.js'
import type { Context as AnyContext, Params } from '../../context.js'
import { bodyTooLarge, declaredLength } from '../../server/limits.js'

type Context = AnyContext<Params, object>

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }
const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i

/** Where the middleware bodyLimit() returns keeps its limit, for the route compiler (not the client). */
const LIMIT = Symbol('swiftlet.bodyLimit')

/**
 * Bytes from a number or a size such as `'512kb'`, `'1.5mb'` (binary units: 1 kb = 1024 bytes).
 * @throws RangeError for anything else, or a negative size.
 */
export function parseBytes(size: number | string): number {
  if (typeof size === 'number') {
    if (!Number.isFinite(size) || size < 0) throw new RangeError(`invalid size ${size}`)
    return Math.floor(size)
  }
  const match = SIZE.exec(size.trim())
  if (!match) throw new RangeError(`invalid size ${JSON.stringify(size)}; use bytes or e.g. '512kb', '2mb'`)
  return Math.floor(Number(match[1]) * (UNITS[(match[2] ?? 'b').toLowerCase()] ?? 1))
}

/**
 * Sets the body limit of the routes it is mounted on, lower or higher than the app's `limits.body`:
 * `app.post('/upload', bodyLimit('50mb'), handler)`, or `router.use(bodyLimit('200kb'))` for a whole router.
 * The limit is read when routes freeze (it is not run per request there): the server core then answers a
 * declared `Content-Length` over it with 413 before routing, buffers at most that many bytes, and a
 * chunked body is refused as soon as more than the limit has arrived (`ctx.req.json()`, `stream()`...).
 * Precedence: a route's `bodyLimit` option, else the bodyLimit() closest to the handler (route-level over
 * router-level, inner router over outer), else one in `app.use()`, else `limits.body`.
 * With `app.use()` it applies to every route, but requests that match no route keep `limits.body`.
 *
 * @param limit - Bytes, or a size string (`'64kb'`, `'2mb'`).
 * @returns A middleware named `bodyLimit`.
 * @throws RangeError for an invalid `limit` (at startup); requests over the limit get HttpError 413
 *   `ERR_BODY_TOO_LARGE` (RFC 9110 §15.5.14).
 */
export function bodyLimit(limit: number | string): MiddlewareHandler<object> {
  const bytes = parseBytes(limit)
  // Runs only where the route compiler did not size the route with it (app.use(), or called by other
  // middleware). It cannot let more through than the core buffers for the route: that ceiling stays.
  const middleware = async function bodyLimit(ctx: Context, next: Next): Promise<void> {
    const req = ctx.req
    req.bodyLimit = bytes
    if (declaredLength(req.headers) > bytes) throw bodyTooLarge(bytes)
    await next()
  }
  return Object.assign(middleware, { [LIMIT]: bytes })
}

/** The limit of a middleware made by {@link bodyLimit}, in bytes; undefined for any other function. */
export function bodyLimitOf(fn: unknown): number | undefined {
  return typeof fn === 'function' ? (fn as { [LIMIT]?: number })[LIMIT] : undefined
}
