/**
 * `Server-Timing` (W3C Server Timing): the total time spent in the onion below this middleware, plus the
 * metrics handlers record (`db;dur=12.5;desc="users query"`), visible in browser dev tools.
 */
import { performance } from 'node:perf_hooks'
import type { MiddlewareHandler, Next } from '../../compose.js'
import type { Context as AnyContext, Params } from '../../context.js'

type Context = AnyContext<Params, object>

/** One metric. */
interface Metric {
  name: string
  durationMs: number | undefined
  description: string | undefined
}

// Keyed by the Context so that nothing is added to ctx.state; entries go with the request.
const metricsByRequest = new WeakMap<object, Metric[]>()
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/**
 * Records a metric for the `Server-Timing` header. Does nothing when {@link serverTiming} does not run for
 * this request (or is disabled for it).
 * @param name - A token (`db`, `cache-hit`).
 * @param durationMs - Milliseconds, when the metric is a duration.
 * @param description - Shown by dev tools.
 * @throws TypeError when `name` is not a token (RFC 9110 §5.6.2).
 */
export function recordTiming(ctx: object, name: string, durationMs?: number, description?: string): void {
  if (!TOKEN.test(name)) throw new TypeError(`Server-Timing metric name must be a token: ${name}`)
  metricsByRequest.get(ctx)?.push({ name, durationMs, description })
}

/**
 * Starts timing `name`; call the returned function to stop and record it.
 * @example `const done = startTiming(ctx, 'db'); const rows = await query(); done()`
 */
export function startTiming(ctx: object, name: string, description?: string): () => void {
  const start = performance.now()
  return () => recordTiming(ctx, name, performance.now() - start, description)
}

function quoted(text: string): string {
  // quoted-string (RFC 9110 §5.6.4): escape \ and "; keep visible ASCII and spaces only.
  return `"${text.replace(/[^\x20-\x7e]/g, '').replace(/[\\"]/g, '\\$&')}"`
}

function serialize(metrics: readonly Metric[], digits: number): string {
  return metrics
    .map(({ name, durationMs, description }) => {
      let item = name
      if (durationMs !== undefined) item += `;dur=${durationMs.toFixed(digits)}`
      if (description !== undefined) item += `;desc=${quoted(description)}`
      return item
    })
    .join(', ')
}

/** Options for {@link serverTiming}. */
export interface ServerTimingOptions {
  /** Name of the total-duration metric; `false` sends only recorded metrics. @default 'total' */
  total?: string | false
  /**
   * Whether this request gets the header. Timings tell an attacker how long your queries take (a
   * side channel): restrict them in production, e.g. to authenticated staff. @default always
   */
  enabled?: (ctx: Context) => boolean
  /** Decimal places of durations (ms). @default 1 */
  digits?: number
}

/**
 * Server-Timing middleware. Sets the header on the way out, also when downstream throws (the error
 * response keeps it). `total` covers the middleware and handler below this one, in ms.
 *
 * @param options - See {@link ServerTimingOptions}.
 * @returns A middleware named `serverTiming`.
 * @throws TypeError when `total` is not a token.
 * @see https://www.w3.org/TR/server-timing/
 */
export function serverTiming(options: ServerTimingOptions = {}): MiddlewareHandler<object> {
  const total = options.total ?? 'total'
  if (total !== false && !TOKEN.test(total)) throw new TypeError('serverTiming: total must be a token')
  const enabled = options.enabled
  const digits = options.digits ?? 1
  return async function serverTiming(ctx: Context, next: Next): Promise<void> {
    if (enabled && !enabled(ctx)) return next()
    const metrics: Metric[] = []
    metricsByRequest.set(ctx, metrics)
    const start = performance.now()
    try {
      await next()
    } finally {
      if (total !== false) {
        metrics.push({ name: total, durationMs: performance.now() - start, description: undefined })
      }
      if (metrics.length > 0) ctx.appendHeader('server-timing', serialize(metrics, digits))
    }
  }
}
