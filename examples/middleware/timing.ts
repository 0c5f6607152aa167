/**
 * Timing: the smallest useful onion. Code before `await next()` runs on the way in, code after it on the
 * way out, so one middleware can measure everything downstream and report it in a header. The built-in
 * `serverTiming()` does the same in the standard `Server-Timing` header (browser dev tools show it), with
 * named metrics recorded by the handler.
 *
 * Try: `x-response-time` and `Server-Timing` grow with `?delay=`; the 404 for an unknown path is timed
 * too, because app-level middleware wraps the automatic answers as well.
 */
import { createApp } from '../../src/index.js'
import { serverTiming, startTiming } from '../../src/middleware/server-timing/index.js'
import { isMain, serve } from './serve.js'

export const app = createApp({ logger: false })

app.use(async function responseTime(ctx, next) {
  const start = performance.now()
  await next()
  ctx.header('x-response-time', `${(performance.now() - start).toFixed(2)}ms`)
})

app.use(serverTiming())

app.get('/work', async (ctx) => {
  const delay = Math.min(Number(ctx.query.get('delay') ?? 20), 2000)
  const done = startTiming(ctx, 'sleep', 'simulated I/O')
  await new Promise((resolve) => setTimeout(resolve, delay))
  done()
  return { sleptMs: delay }
})

export const tryIt = [
  'curl -si "$URL/work?delay=50"',
  'curl -si "$URL/work?delay=300"',
  'curl -si $URL/unknown',
]

if (isMain(import.meta.url)) await serve(app, tryIt)
