/**
 * Short-circuiting: a middleware that answers without calling `next()` stops the onion there. This tiny
 * response cache serves repeated GETs from memory and only lets misses reach the (slow) handler; on the
 * way out it stores what the handler produced.
 *
 * Try: the first request takes ~500 ms and says `x-cache: MISS`; repeat it within 10 s: instant, `HIT`,
 * and the handler's counter does not move.
 */
import { createApp, type MiddlewareHandler } from '../../src/index.js'
import { isMain, serve } from './serve.js'

interface Entry {
  body: string | Uint8Array
  type: string
  expires: number
}

function responseCache(ttlMs: number): MiddlewareHandler<object> {
  const entries = new Map<string, Entry>()
  return async function responseCache(ctx, next) {
    if (ctx.method !== 'GET') return next()
    const hit = entries.get(ctx.url)
    if (hit && hit.expires > Date.now()) {
      ctx.header('x-cache', 'HIT').header('content-type', hit.type)
      return ctx.send(hit.body) // no next(): the handler never runs
    }
    await next()
    const { status, body } = ctx.res
    if (status === 200 && (typeof body === 'string' || body instanceof Uint8Array)) {
      const type = String(ctx.res.headers.get('content-type') ?? 'application/octet-stream')
      entries.set(ctx.url, { body, type, expires: Date.now() + ttlMs })
    }
    ctx.header('x-cache', 'MISS')
  }
}

let computed = 0

export const app = createApp({ logger: false })
app.use(responseCache(10_000))
app.get('/report', async () => {
  await new Promise((resolve) => setTimeout(resolve, 500))
  return { computed: ++computed, at: new Date().toISOString() }
})

export const tryIt = ['curl -si $URL/report', 'curl -si $URL/report']

if (isMain(import.meta.url)) await serve(app, tryIt)
