/**
 * A custom middleware from scratch: a factory that takes options and returns a *named* async function
 * (named, so stack traces and logs say `maintenance`). It shows the three moves: short-circuit (answer 503
 * without calling next), pass through (`await next()`), and change the response on the way out.
 *
 * Try: normal requests get an `x-maintenance: off` header; switch maintenance on with POST /admin/maintenance
 * and ordinary requests get 503 with `Retry-After`, while /admin and /health still work.
 */
import { createApp, HttpError, type MiddlewareHandler } from '../../src/index.js'
import { isMain, serve } from './serve.js'

/** Options for {@link maintenance}. */
export interface MaintenanceOptions {
  /** Asked on every request: is the site in maintenance? */
  enabled: () => boolean
  /** Path prefixes that keep working during maintenance. @default ['/health'] */
  allow?: readonly string[]
  /** Seconds clients should wait before retrying (RFC 9110 §10.2.3). @default 120 */
  retryAfter?: number
}

/**
 * Answers 503 with Retry-After while `enabled()` holds, except for `allow`ed paths.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.6.4
 */
export function maintenance(options: MaintenanceOptions): MiddlewareHandler<object> {
  const allow = options.allow ?? ['/health']
  const retryAfter = String(options.retryAfter ?? 120)
  return async function maintenance(ctx, next) {
    const on = options.enabled()
    if (on && !allow.some((prefix) => ctx.path.startsWith(prefix))) {
      // Short-circuit: nothing downstream runs.
      throw new HttpError(503, 'down for maintenance', {
        expose: true,
        headers: { 'retry-after': retryAfter },
      })
    }
    await next()
    ctx.header('x-maintenance', on ? 'on' : 'off') // on the way out
  }
}

let down = false

export const app = createApp({ logger: false })
app.use(maintenance({ enabled: () => down, allow: ['/health', '/admin'], retryAfter: 60 }))
app.get('/health', () => ({ ok: true }))
app.get('/items', () => [{ id: 1 }])
app.post('/admin/maintenance', (ctx) => {
  down = ctx.query.get('on') !== 'false'
  return { maintenance: down }
})

export const tryIt = [
  'curl -si $URL/items',
  'curl -s -X POST $URL/admin/maintenance',
  'curl -si $URL/items',
  'curl -si $URL/health',
  'curl -s -X POST "$URL/admin/maintenance?on=false"',
]

if (isMain(import.meta.url)) await serve(app, tryIt)
