import { describe, expect, it } from 'vitest'
import { ERR, Router, type Middleware } from '../../../src/index.js'
import { quietApp } from './helpers.js'

describe('app verbs', () => {
  it.each(['get', 'post', 'put', 'patch', 'delete'] as const)('routes %s to its handler', async (verb) => {
    const app = quietApp()
    app[verb]('/thing', () => ({ verb }))
    const res = await app.inject({ method: verb, url: '/thing' })
    expect(res.status).toBe(200)
    expect(res.json()).toEqual({ verb })
  })

  it('answers every method with an all() route', async () => {
    const app = quietApp()
    app.all('/any', (ctx) => ({ method: ctx.method }))
    for (const method of ['GET', 'POST', 'DELETE', 'PROPFIND']) {
      expect((await app.inject({ method, url: '/any' })).json()).toEqual({ method })
    }
  })

  it('registers one handler for several methods with route()', async () => {
    const app = quietApp()
    app.route(['PUT', 'PATCH'], '/doc', (ctx) => ctx.method)
    expect((await app.inject({ method: 'PUT', url: '/doc' })).body).toBe('PUT')
    expect((await app.inject({ method: 'PATCH', url: '/doc' })).body).toBe('PATCH')
    expect((await app.inject({ method: 'POST', url: '/doc' })).status).toBe(405)
  })

  it('prefers an explicit head() or options() route over the automatic answer', async () => {
    const app = quietApp()
    app.get('/x', () => 'body')
    app.head('/x', (ctx) => void ctx.header('x-explicit', 'head'))
    app.options('/x', (ctx) => void ctx.header('x-explicit', 'options'))
    const head = await app.inject({ method: 'HEAD', url: '/x' })
    const options = await app.inject({ method: 'OPTIONS', url: '/x' })
    expect(head.headers['x-explicit']).toBe('head')
    expect(options.headers['x-explicit']).toBe('options')
    expect(options.headers.allow).toBeUndefined()
  })

  it('throws TypeError when a route has no handler or a relative path', () => {
    const app = quietApp()
    expect(() => app.get('/x')).toThrow(TypeError)
    expect(() => app.get('x', () => 'x')).toThrow(TypeError)
  })

  it('prefers a static route over a param route registered first', async () => {
    const app = quietApp()
    app.get('/users/:id', (ctx) => ({ id: ctx.params.id }))
    app.get('/users/me', () => ({ me: true }))
    expect((await app.inject('/users/me')).json()).toEqual({ me: true })
    expect((await app.inject('/users/7')).json()).toEqual({ id: '7' })
  })
})

describe('Router prefixes and nesting', () => {
  it('serves a mounted router under its prefix', async () => {
    const app = quietApp()
    const api = new Router({ prefix: '/api' })
    api.get('/items', () => ['a'])
    api.get('/', () => 'api root')
    app.mount(api)
    expect((await app.inject('/api/items')).json()).toEqual(['a'])
    expect((await app.inject('/api')).body).toBe('api root')
    expect((await app.inject('/items')).status).toBe(404)
  })

  it('joins the prefixes of nested routers', async () => {
    const app = quietApp()
    const api = new Router({ prefix: '/api' })
    const v1 = new Router({ prefix: '/v1' })
    v1.get('/items/:id', (ctx) => ({ id: ctx.params.id }))
    api.mount(v1)
    app.mount(api)
    expect((await app.inject('/api/v1/items/3')).json()).toEqual({ id: '3' })
  })

  it('rejects a prefix without a leading slash and a router mounting itself', () => {
    expect(() => new Router({ prefix: 'api' })).toThrow(TypeError)
    const router = new Router()
    expect(() => router.mount(router)).toThrow(TypeError)
  })
})

describe('middleware scope', () => {
  const tracer = (seen: string[], name: string): Middleware<unknown> =>
    async function trace(_ctx, next) {
      seen.push(name)
      await next()
    }

  it('runs router middleware only for that router’s routes, app middleware for all', async () => {
    const seen: string[] = []
    const app = quietApp()
    const api = new Router({ prefix: '/api' })
    app.use(tracer(seen, 'app'))
    api.use(tracer(seen, 'api'))
    api.get('/items', () => 'items')
    app.get('/health', () => 'ok')
    app.mount(api)
    await app.inject('/health')
    expect(seen).toEqual(['app'])
    seen.length = 0
    await app.inject('/api/items')
    expect(seen).toEqual(['app', 'api'])
  })

  it('runs parent router middleware before child router middleware, then route middleware', async () => {
    const seen: string[] = []
    const app = quietApp()
    const api = new Router({ prefix: '/api' }).use(tracer(seen, 'api'))
    const v1 = new Router({ prefix: '/v1' }).use(tracer(seen, 'v1'))
    v1.get('/x', tracer(seen, 'route'), () => void seen.push('handler'))
    api.mount(v1)
    app.use(tracer(seen, 'app')).mount(api)
    await app.inject('/api/v1/x')
    expect(seen).toEqual(['app', 'api', 'v1', 'route', 'handler'])
  })

  it('does not run router middleware for an unmatched path under its prefix', async () => {
    const seen: string[] = []
    const app = quietApp()
    const api = new Router({ prefix: '/api' }).use(tracer(seen, 'api'))
    api.get('/items', () => 'items')
    app.mount(api)
    expect((await app.inject('/api/nope')).status).toBe(404)
    expect(seen).toEqual([])
  })

  it.each([
    ['a 404', 'GET', '/nope', 404],
    ['a 405', 'DELETE', '/items', 405],
    ['an automatic OPTIONS', 'OPTIONS', '/items', 204],
    ['a HEAD answered by GET', 'HEAD', '/items', 200],
  ])('runs app middleware for %s', async (_what, method, url, status) => {
    const seen: string[] = []
    const app = quietApp()
    app.use(async (ctx, next) => {
      seen.push(`${ctx.method} ${ctx.path}`)
      ctx.header('x-before', '1')
      await next()
    })
    app.get('/items', () => ['a'])
    const res = await app.inject({ method, url })
    expect(res.status).toBe(status)
    expect(seen).toEqual([`${method} ${url}`])
    expect(res.headers['x-before']).toBe('1')
  })

  // The issue: automatic answers "pass through the app-level middleware", so a timing or CORS middleware
  // that sets headers after `await next()` must see them too, as it does for a handler's 404.
  it.each([
    ['a 404', 'GET', '/nope', 404],
    ['a 405', 'DELETE', '/items', 405],
  ])('runs the after-next code of app middleware for %s', async (_what, method, url, status) => {
    const app = quietApp()
    app.use(async (ctx, next) => {
      await next()
      ctx.header('server-timing', 'app;dur=1')
    })
    app.get('/items', () => ['a'])
    const res = await app.inject({ method, url })
    expect(res.status).toBe(status)
    expect(res.headers['server-timing']).toBe('app;dur=1')
  })
})

describe('trailing-slash policy (strict)', () => {
  it('does not answer /items/ from /items', async () => {
    const app = quietApp()
    app.get('/items', () => [])
    expect((await app.inject('/items')).status).toBe(200)
    expect((await app.inject('/items/')).status).toBe(404)
  })

  it('routes after normalising the path: dot segments and unreserved escapes', async () => {
    const app = quietApp()
    app.get('/~user/profile', () => 'profile')
    expect((await app.inject('/%7Euser/profile')).body).toBe('profile')
    expect((await app.inject('/other/../~user/./profile')).body).toBe('profile')
  })
})

describe('path params', () => {
  const app = quietApp()
  app.get('/files/:name', (ctx) => ({ name: ctx.params.name }))
  app.get('/users/:id', (ctx) => ({ id: ctx.params.id }))
  app.get('/static/*', (ctx) => ({ rest: ctx.params['*'] }))

  it('keeps an encoded slash inside one param, decoded after matching', async () => {
    const res = await app.inject('/files/a%2Fb')
    expect(res.status).toBe(200)
    expect(res.json()).toEqual({ name: 'a/b' })
  })

  it('decodes UTF-8 escapes', async () => {
    expect((await app.inject('/users/Jo%C3%A3o')).json()).toEqual({ id: 'João' })
    expect((await app.inject('/users/a%20b%3Fc')).json()).toEqual({ id: 'a b?c' })
  })

  it('decodes the wildcard value and keeps its slashes', async () => {
    expect((await app.inject('/static/css/a%20b.css')).json()).toEqual({ rest: 'css/a b.css' })
  })

  it.each(['/users/100%', '/users/%E2_7', '/users/%A0', '/users/%zz', '/static/a/%C3'])(
    'answers %s with 400 ERR_MALFORMED_URI, never 500',
    async (url) => {
      const res = await app.inject(url)
      expect(res.status).toBe(400)
      expect(res.json()).toMatchObject({ status: 400, code: ERR.MALFORMED_URI })
    },
  )
})

describe('route freezing', () => {
  it('throws ERR_ROUTES_FROZEN when a route or middleware is added after the first request', async () => {
    const app = quietApp()
    const api = new Router({ prefix: '/api' })
    app.mount(api)
    app.get('/x', () => 'x')
    await app.inject('/x')
    expect(() => app.get('/y', () => 'y')).toThrow(expect.objectContaining({ code: ERR.ROUTES_FROZEN }))
    expect(() => app.use(async (_ctx, next) => next())).toThrow(
      expect.objectContaining({ code: ERR.ROUTES_FROZEN }),
    )
    expect(() => api.get('/late', () => 'late')).toThrow(expect.objectContaining({ code: ERR.ROUTES_FROZEN }))
    expect(() => app.mount(new Router())).toThrow(expect.objectContaining({ code: ERR.ROUTES_FROZEN }))
    expect((await app.inject('/y')).status).toBe(404)
  })

  it('rejects the first request with ERR_INVALID_ROUTE when two routes duplicate each other', async () => {
    const app = quietApp()
    app.get('/x', () => 'one')
    app.get('/x', () => 'two')
    await expect(app.inject('/x')).rejects.toMatchObject({ code: ERR.INVALID_ROUTE })
  })
})
