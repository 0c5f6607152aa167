/** A deadline for the rest of the onion: stop waiting, fire `ctx.signal`, answer 503 (or 504), log it. */
import type { MiddlewareHandler, Next } from '../../compose.js'
import type { Context as AnyContext, Params } from '../../context.js'
import { ERR, HttpError } from '../../errors.js'

type Context = AnyContext<Params, object>

/** Options for {@link timeout}. */
export interface TimeoutOptions {
  /**
   * Status answered: 503 (the server gave up, RFC 9110 §15.6.4) or 504 (an upstream did not answer in
   * time, §15.6.5, for gateways and proxies). @default 503
   */
  status?: 503 | 504
  /** Message of the error (exposed to the client). @default 'no response within <ms> ms' */
  message?: string
}

/**
 * Request timeout middleware. When downstream has not finished within `ms`, it fires `ctx.signal` (its
 * `reason` is the HttpError) so that fetches, queries and timers given the signal stop, logs a warning
 * `request timed out`, and throws an HttpError 503 `ERR_SERVICE_UNAVAILABLE` (or 504
 * `ERR_GATEWAY_TIMEOUT`) for the error handler to answer. What the abandoned handler does afterwards
 * cannot change the response, and its late errors are ignored.
 *
 * @param ms - Deadline in milliseconds, counted from when this middleware runs.
 * @param options - See {@link TimeoutOptions}.
 * @returns A middleware named `timeout`.
 * @throws RangeError when `ms` is not a positive number.
 */
export function timeout(ms: number, options: TimeoutOptions = {}): MiddlewareHandler<object> {
  if (!(ms > 0) || !Number.isFinite(ms)) throw new RangeError('timeout: ms must be a positive number')
  const status = options.status ?? 503
  const message = options.message ?? `no response within ${ms} ms`
  const code = status === 504 ? ERR.GATEWAY_TIMEOUT : ERR.SERVICE_UNAVAILABLE

  return async function timeout(ctx: Context, next: Next): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    const expired = new Promise<true>((resolve) => {
      timer = setTimeout(resolve, ms, true)
    })
    const downstream = next().then(() => false as const)
    try {
      if (!(await Promise.race([downstream, expired]))) return
    } finally {
      clearTimeout(timer)
    }
    // The handler runs on; a rejection it ends with later has nowhere to go.
    downstream.catch(() => undefined)
    const error = new HttpError(status, message, { code, expose: true })
    ctx.abort(error)
    ctx.log.warn({ timeoutMs: ms, method: ctx.method, path: ctx.path }, 'request timed out')
    throw error
  }
}
