import { describe, expect, it } from 'vitest'
import { createApp, HttpError, override, provide } from '../../../src/index.js'

describe('provide()', () => {
  it('makes a value once per request and caches it across middleware, nested providers and the handler', async () => {
    let made = 0
    const counter = provide('counter', () => ({ n: ++made }))
    const doubled = provide('doubled', async (ctx) => (await counter.resolve(ctx)).n * 2)
    const app = createApp({ logger: false })
    app.use(async (ctx, next) => {
      await counter.resolve(ctx)
      await next()
    })
    app.get('/', async (ctx) => ({
      counter: (await counter.resolve(ctx)).n,
      doubled: await doubled.resolve(ctx),
    }))
    expect((await app.inject('/')).json()).toEqual({ counter: 1, doubled: 2 })
    expect((await app.inject('/')).json()).toEqual({ counter: 2, doubled: 4 })
  })

  it('runs a generator provider’s cleanup after the response, last made first', async () => {
    const events: string[] = []
    const outer = provide('outer', function* () {
      events.push('outer open')
      yield 'outer'
      events.push('outer close')
    })
    const inner = provide('inner', async function* (ctx) {
      const o = await outer.resolve(ctx)
      events.push('inner open')
      try {
        yield `${o}+inner`
      } finally {
        events.push('inner close')
      }
    })
    const app = createApp({ logger: false })
    app.get('/', async (ctx) => {
      const value = await inner.resolve(ctx)
      events.push('handler')
      return { value }
    })
    const res = await app.inject('/')
    expect(res.json()).toEqual({ value: 'outer+inner' })
    expect(events).toEqual(['outer open', 'inner open', 'handler', 'inner close', 'outer close'])
  })

  it('throws the request’s error into a generator provider at its yield', async () => {
    const seen: string[] = []
    const tx = provide('tx', async function* () {
      try {
        yield 'tx'
        seen.push('commit')
      } catch {
        seen.push('rollback')
      }
    })
    const app = createApp({ logger: false })
    app.get('/fail', async (ctx) => {
      await tx.resolve(ctx)
      throw new HttpError(409, 'conflict')
    })
    app.get('/ok', async (ctx) => ({ tx: await tx.resolve(ctx) }))
    expect((await app.inject('/fail')).status).toBe(409)
    expect((await app.inject('/ok')).status).toBe(200)
    expect(seen).toEqual(['rollback', 'commit'])
  })

  it('uses overrides given to app.inject for that request only', async () => {
    const db = provide('db', () => ({ name: 'real' }))
    const app = createApp({ logger: false })
    app.get('/', async (ctx) => (await db.resolve(ctx)).name)
    const faked = await app.inject({ url: '/', overrides: [override(db, () => ({ name: 'fake' }))] })
    expect(faked.body).toBe('fake')
    expect((await app.inject('/')).body).toBe('real')
  })

  it('fails the request with the provider’s error', async () => {
    const broken = provide('broken', () => {
      throw new HttpError(503, 'database down', { expose: true })
    })
    const app = createApp({ logger: false })
    app.get('/', async (ctx) => broken.resolve(ctx))
    const res = await app.inject('/')
    expect(res.status).toBe(503)
    expect(res.json()).toMatchObject({ message: 'database down' })
  })
})
