/** A body size limit per route (or router): lower than the app-wide `limits.body`, never higher. */
import type { MiddlewareHandler, Next } from '../../compose.js'
import type { Context as AnyContext, Params } from '../../context.js'
import { ERR, HttpError } from '../../errors.js'

type Context = AnyContext<Params, object>

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }
const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i

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
 * Lowers the body limit for the requests it runs for (put it on a route or router:
 * `app.post('/avatar', bodyLimit('200kb'), handler)`). The app-wide `limits.body` stays the ceiling: the
 * server core enforces that one before any middleware runs, so a larger value here has no effect.
 * A declared `Content-Length` above the limit is refused at once; a chunked body is refused as soon as
 * more than the limit has arrived, when the handler reads it (`ctx.req.json()`...).
 *
 * @param limit - Bytes, or a size string (`'64kb'`, `'2mb'`).
 * @returns A middleware named `bodyLimit`.
 * @throws RangeError for an invalid `limit` (at startup); the middleware answers HttpError 413
 *   `ERR_BODY_TOO_LARGE` (RFC 9110 §15.5.14).
 */
export function bodyLimit(limit: number | string): MiddlewareHandler<object> {
  const bytes = parseBytes(limit)
  return async function bodyLimit(ctx: Context, next: Next): Promise<void> {
    const req = ctx.req
    if (bytes < req.bodyLimit) req.bodyLimit = bytes
    const declared = req.headers['content-length']
    if (declared !== undefined && Number(declared) > req.bodyLimit) {
      throw new HttpError(413, `request body larger than ${req.bodyLimit} bytes`, {
        code: ERR.BODY_TOO_LARGE,
      })
    }
    await next()
  }
}
