/** The app every core serves in the conformance suite: one route per behaviour the cases check. */
import { setTimeout as sleep } from 'node:timers/promises'
import { z } from 'zod'
import { createApp, HttpError, sse, type App } from '../../src/index.js'

/** Body limit of the app, in bytes (the 413 cases send more). */
export const BODY_LIMIT = 2 * 1024 * 1024
/** Size of GET /large, in bytes. */
export const LARGE = 1024 * 1024

/** Builds the conformance app. */
export function conformanceApp(): App {
  const app = createApp({ logger: false, limits: { body: BODY_LIMIT } })
  app.use(async function poweredBy(ctx, next) {
    await next()
    ctx.header('x-powered-by', 'swiftlet')
  })
  app.onError((err, ctx) => {
    if (err.message === 'handled by onError') return ctx.json({ handled: true }, 503)
    throw err
  })
  app.get('/items/:id', (ctx) => ({ id: ctx.params.id }))
  app.get('/search', (ctx) => ({ q: ctx.query.get('q'), tags: ctx.query.getAll('tag') }))
  app.get('/headers', (ctx) => ({
    multi: ctx.headers['x-multi'],
    cookie: ctx.headers.cookie,
    host: ctx.headers.host !== undefined,
  }))
  app.get('/cookies', (ctx) => {
    ctx.appendHeader('set-cookie', 'a=1; Path=/')
    ctx.appendHeader('set-cookie', 'b=2; Path=/; HttpOnly')
    return ctx.text('two cookies')
  })
  app.post('/echo', async (ctx) => {
    ctx.status(201)
    return ctx.req.json()
  })
  app.post('/small', async (ctx) => {
    ctx.req.bodyLimit = 1024
    return { bytes: (await ctx.req.bytes()).length }
  })
  app.post('/upload', async (ctx) => ({ bytes: (await ctx.req.bytes()).length }))
  app.post('/items', { schema: { body: z.object({ name: z.string().min(1) }) } }, (ctx) => {
    ctx.status(201)
    return { name: ctx.valid.body.name }
  })
  app.get('/teapot', () => {
    throw new HttpError(418, 'short and stout')
  })
  app.get('/boom', () => {
    throw new Error('a secret the client must not see')
  })
  app.get('/handled', () => {
    throw new Error('handled by onError')
  })
  app.get('/stream', (ctx) => {
    async function* letters(): AsyncGenerator<string> {
      for (const letter of ['a', 'b', 'c']) {
        await sleep(5)
        yield letter
      }
    }
    return ctx.stream(letters(), { type: 'text/plain; charset=utf-8' })
  })
  app.get('/stream-sized', (ctx) => {
    async function* bytes(): AsyncGenerator<Buffer> {
      yield Buffer.from('abc')
    }
    return ctx.stream(bytes(), { type: 'text/plain', length: 3 })
  })
  app.get('/events', (ctx) => {
    const stream = sse(ctx, { heartbeatMs: 0 })
    stream.send({ id: '1', event: 'tick', data: { n: 1 } })
    stream.send('two')
    setTimeout(() => stream.end(), 10)
  })
  app.get('/large', () => 'x'.repeat(LARGE))
  app.get('/redirect', (ctx) => ctx.redirect('/items/1', 301))
  app.get('/no-content', (ctx) => ctx.status(204))
  app.get('/slow', async (ctx) => {
    await sleep(Number(ctx.query.get('ms') ?? 50))
    return { slept: Number(ctx.query.get('ms') ?? 50) }
  })
  return app
}
