import { describe, expect, it } from 'vitest'
import { bodyLimit, createApp, parseBytes, Router } from '../../../src/index.js'

function appWithRoutes() {
  const app = createApp({ logger: false, limits: { body: 4096 } })
  const echo = async (ctx: { req: { bytes(): Promise<Buffer> } }) => ({
    size: (await ctx.req.bytes()).length,
  })
  app.post('/option-wins', { bodyLimit: 10 }, bodyLimit('1kb'), echo)
  app.post('/route-mw', bodyLimit(100), echo)
  const outer = new Router({ prefix: '/outer' }).use(bodyLimit(50))
  const inner = new Router({ prefix: '/inner' }).use(bodyLimit(20))
  inner.post('/x', echo)
  outer.post('/y', echo)
  outer.mount(inner)
  app.mount(outer)
  app.post('/plain', echo)
  return app
}

describe('route body limits', () => {
  it('lets a route limit win over bodyLimit() in app.use(), which still bounds the other routes', async () => {
    const app = createApp({ logger: false })
    app.use(bodyLimit('1kb'))
    const size = async (ctx: { req: { bytes(): Promise<Buffer> } }) => ({
      size: (await ctx.req.bytes()).length,
    })
    app.post('/big', { bodyLimit: '1mb' }, size)
    app.post('/small', size)
    const body = 'x'.repeat(4000)
    const big = await app.inject({ method: 'POST', url: '/big', body })
    expect(big.status).toBe(200)
    expect(big.json()).toEqual({ size: 4000 })
    expect((await app.inject({ method: 'POST', url: '/small', body })).json()).toMatchObject({
      code: 'ERR_BODY_TOO_LARGE',
      message: 'request body larger than 1024 bytes',
    })
    // A path no route matches keeps limits.body (1 MiB): 404, not 413.
    expect((await app.inject({ method: 'POST', url: '/nowhere', body })).status).toBe(404)
  })

  it('lets the route option win over bodyLimit() on the same route', async () => {
    const app = appWithRoutes()
    expect((await app.inject({ method: 'POST', url: '/option-wins', body: 'x'.repeat(10) })).status).toBe(200)
    const res = await app.inject({ method: 'POST', url: '/option-wins', body: 'x'.repeat(11) })
    expect(res.status).toBe(413)
    expect(res.json()).toMatchObject({
      code: 'ERR_BODY_TOO_LARGE',
      message: 'request body larger than 10 bytes',
    })
  })

  it('lets the innermost router bodyLimit() win over the outer one', async () => {
    const app = appWithRoutes()
    expect((await app.inject({ method: 'POST', url: '/outer/inner/x', body: 'x'.repeat(21) })).status).toBe(
      413,
    )
    expect((await app.inject({ method: 'POST', url: '/outer/y', body: 'x'.repeat(40) })).json()).toEqual({
      size: 40,
    })
    expect((await app.inject({ method: 'POST', url: '/outer/y', body: 'x'.repeat(51) })).status).toBe(413)
  })

  it('keeps the app limit on routes without one', async () => {
    const app = appWithRoutes()
    expect((await app.inject({ method: 'POST', url: '/plain', body: 'x'.repeat(4096) })).status).toBe(200)
    expect((await app.inject({ method: 'POST', url: '/plain', body: 'x'.repeat(4097) })).status).toBe(413)
  })

  it('throws RangeError for an invalid bodyLimit option where the route is added', () => {
    const app = createApp({ logger: false })
    expect(() => app.post('/bad', { bodyLimit: '12 parsecs' }, () => 'x')).toThrow(RangeError)
    expect(() => app.post('/neg', { bodyLimit: -1 }, () => 'x')).toThrow(RangeError)
  })

  it('parses sizes with binary units', () => {
    expect(parseBytes('1.5mb')).toBe(1.5 * 1024 * 1024)
    expect(parseBytes(' 64KB ')).toBe(65536)
    expect(() => parseBytes('1tb')).toThrow(RangeError)
  })
})
