/**
 * An error boundary: a middleware with `try { await next() } catch` turns errors thrown anywhere downstream
 * into the answer you want (here RFC 9457 problem details), and lets `finally` code run either way.
 * Errors travel up the onion like exceptions: "after" code of the middleware in between is skipped.
 *
 * Try: a route that works, one that throws an HttpError (its status is kept), one that throws a plain
 * Error (a 500 whose message is hidden from the client but logged), and watch the `x-boundary` header
 * that the `finally` block always sets.
 */
import { createApp, HttpError, isHttpError } from '../../src/index.js'
import { isMain, serve } from './serve.js'

export const app = createApp({ logger: false })

app.use(async function problemDetails(ctx, next) {
  try {
    await next()
  } catch (err) {
    const http = isHttpError(err)
    const status = http ? err.status : 500
    if (!http) ctx.log.error({ err }, 'unhandled error') // the details stay in the log
    ctx.header('content-type', 'application/problem+json')
    return ctx.json(
      {
        type: 'about:blank',
        title: http && err.expose ? err.message : 'Internal Server Error',
        status,
        instance: ctx.path,
        requestId: ctx.id,
      },
      status,
    )
  } finally {
    ctx.header('x-boundary', 'passed')
  }
})

app.use(async function skippedOnError(ctx, next) {
  await next()
  ctx.header('x-after', 'only when nothing was thrown')
})

app.get('/ok', () => ({ ok: true }))
app.get('/conflict', () => {
  throw new HttpError(409, 'version mismatch')
})
app.get('/bug', () => {
  throw new Error('database password is hunter2')
})

export const tryIt = ['curl -si $URL/ok', 'curl -si $URL/conflict', 'curl -si $URL/bug']

if (isMain(import.meta.url)) await serve(app, tryIt)
