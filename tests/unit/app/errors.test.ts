import { describe, expect, it } from 'vitest'
import { ERR, HttpError, Router } from '../../../src/index.js'
import { quietApp } from './helpers.js'

describe('errors thrown by handlers', () => {
  it('answers an HttpError with its status and JSON { status, code, message, requestId }', async () => {
    const app = quietApp()
    app.get('/users/:id', () => {
      throw new HttpError(404, 'user not found')
    })
    const res = await app.inject({ url: '/users/9', headers: { 'x-request-id': 'req-1' } })
    expect(res.status).toBe(404)
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(res.json()).toEqual({
      status: 404,
      code: ERR.NOT_FOUND,
      message: 'user not found',
      requestId: 'req-1',
    })
  })

  it('uses the code, headers and details an HttpError carries', async () => {
    const app = quietApp()
    app.get('/busy', () => {
      throw new HttpError(429, 'slow down', { code: 'ERR_RATE_LIMITED', headers: { 'retry-after': '5' } })
    })
    app.get('/invalid', () => {
      throw new HttpError(422, 'invalid body', { details: [{ path: 'name', message: 'required' }] })
    })
    const busy = await app.inject('/busy')
    expect(busy.status).toBe(429)
    expect(busy.headers['retry-after']).toBe('5')
    expect(busy.json()).toMatchObject({ code: 'ERR_RATE_LIMITED', message: 'slow down' })
    expect((await app.inject('/invalid')).json()).toMatchObject({
      code: ERR.VALIDATION,
      details: [{ path: 'name', message: 'required' }],
    })
  })

  it('hides the message of a 5xx HttpError unless expose is set', async () => {
    const app = quietApp()
    app.get('/hidden', () => {
      throw new HttpError(502, 'upstream 10.0.0.7 refused')
    })
    app.get('/shown', () => {
      throw new HttpError(503, 'maintenance until 14:00', { expose: true })
    })
    const hidden = await app.inject('/hidden')
    expect(hidden.status).toBe(502)
    expect(hidden.body).not.toContain('10.0.0.7')
    expect((await app.inject('/shown')).json()).toMatchObject({ message: 'maintenance until 14:00' })
  })

  it('answers a plain Error with 500 and hides its message', async () => {
    const app = quietApp()
    app.get('/boom', async () => {
      throw new Error('password=hunter2 at db.internal')
    })
    const res = await app.inject('/boom')
    expect(res.status).toBe(500)
    expect(res.json()).toMatchObject({ status: 500, code: ERR.INTERNAL, message: 'Internal Server Error' })
    expect(res.body).not.toContain('hunter2')
  })

  it.each([
    ['a string', 'just a string'],
    ['undefined', undefined],
    ['null', null],
    ['a plain object', { reason: 'x' }],
  ])('answers a thrown %s with 500', async (_what, thrown) => {
    const app = quietApp()
    app.get('/throw', () => {
      throw thrown
    })
    const res = await app.inject('/throw')
    expect(res.status).toBe(500)
    expect(res.json()).toMatchObject({ status: 500, code: ERR.INTERNAL })
  })

  it('answers a rejected promise returned by a handler with 500', async () => {
    const app = quietApp()
    app.get('/reject', () => Promise.reject(new Error('later')))
    expect((await app.inject('/reject')).status).toBe(500)
  })

  it('clears a body written before the throw and keeps serving other requests', async () => {
    const app = quietApp()
    app.get('/half', (ctx) => {
      ctx.json({ partial: true })
      throw new Error('after writing')
    })
    app.get('/ok', () => 'ok')
    const res = await app.inject('/half')
    expect(res.status).toBe(500)
    expect(res.body).not.toContain('partial')
    expect((await app.inject('/ok')).body).toBe('ok')
  })
  it('keeps a failing request from affecting concurrent ones', async () => {
    const app = quietApp()
    app.get('/n/:n', async (ctx) => {
      await new Promise((resolve) => setTimeout(resolve, 1))
      if (Number(ctx.params.n) % 2 === 1) throw new Error('odd')
      return { n: ctx.params.n }
    })
    const responses = await Promise.all(Array.from({ length: 10 }, (_, n) => app.inject(`/n/${n}`)))
    expect(responses.map((res) => res.status)).toEqual([200, 500, 200, 500, 200, 500, 200, 500, 200, 500])
    expect(responses[4]?.json()).toEqual({ n: '4' })
  })
})

describe('errors from middleware', () => {
  it('answers 500 when middleware returns an Error, without running the handler', async () => {
    const app = quietApp()
    let ran = false
    app.get(
      '/x',
      async () => new Error('returned, not thrown'),
      () => {
        ran = true
        return 'x'
      },
    )
    const res = await app.inject('/x')
    expect(res.status).toBe(500)
    expect(res.json()).toMatchObject({ code: ERR.INTERNAL })
    expect(ran).toBe(false)
  })

  it('answers 500 ERR_NEXT_CALLED_TWICE and runs the handler at most once', async () => {
    const app = quietApp()
    let runs = 0
    app.use(async (_ctx, next) => {
      await next()
      await next()
    })
    app.get('/x', () => {
      runs++
      return 'x'
    })
    const res = await app.inject('/x')
    expect(res.status).toBe(500)
    expect(res.json()).toMatchObject({ status: 500, code: ERR.NEXT_CALLED_TWICE })
    expect(runs).toBeLessThanOrEqual(1)
  })

  it('runs the handler once when route middleware calls next twice concurrently', async () => {
    const app = quietApp()
    let runs = 0
    app.get(
      '/x',
      async (_ctx, next) => {
        await Promise.allSettled([next(), next()])
      },
      () => void runs++,
    )
    // allSettled swallows the second call's rejection, so the request succeeds; the handler still runs once.
    await app.inject('/x')
    expect(runs).toBe(1)
  })
})

describe('Router onError', () => {
  it('answers errors of its own routes with what it returns', async () => {
    const app = quietApp()
    const api = new Router({ prefix: '/api' })
    api.onError((err, ctx) => {
      ctx.status(418)
      return { handledBy: 'api', message: err.message }
    })
    api.get('/boom', () => {
      throw new Error('kaput')
    })
    app.get('/boom', () => {
      throw new Error('kaput')
    })
    app.mount(api)
    const res = await app.inject('/api/boom')
    expect(res.status).toBe(418)
    expect(res.json()).toEqual({ handledBy: 'api', message: 'kaput' })
    expect((await app.inject('/boom')).status).toBe(500)
  })

  it('passes an error up to the parent router when it rethrows', async () => {
    const app = quietApp()
    const api = new Router({ prefix: '/api' })
    const v1 = new Router({ prefix: '/v1' })
    v1.onError((err) => {
      throw new HttpError(409, `v1 saw: ${err.message}`)
    })
    api.onError((err, ctx) => {
      ctx.status(err instanceof HttpError ? err.status : 500)
      return { outer: err.message }
    })
    v1.get('/x', () => {
      throw new Error('inner')
    })
    api.mount(v1)
    app.mount(api)
    const res = await app.inject('/api/v1/x')
    expect(res.status).toBe(409)
    expect(res.json()).toEqual({ outer: 'v1 saw: inner' })
  })

  it('falls back to the default JSON error when it answers nothing', async () => {
    const app = quietApp()
    const api = new Router({ prefix: '/api' }).onError(() => undefined)
    api.get('/x', () => {
      throw new HttpError(403, 'nope')
    })
    app.mount(api)
    const res = await app.inject('/api/x')
    expect(res.status).toBe(403)
    expect(res.json()).toMatchObject({ status: 403, message: 'nope' })
  })
})

describe('Router notFound', () => {
  it('answers unmatched paths under its prefix, the innermost router first', async () => {
    const app = quietApp()
    const api = new Router({ prefix: '/api' })
    const v1 = new Router({ prefix: '/api/v1' })
    api.notFound((ctx) => {
      ctx.status(404)
      return { scope: 'api', path: ctx.path }
    })
    v1.notFound((ctx) => void ctx.json({ scope: 'v1' }, 404))
    api.get('/items', () => [])
    app.mount(api).mount(v1)
    expect((await app.inject('/api/nope')).json()).toEqual({ scope: 'api', path: '/api/nope' })
    expect((await app.inject('/api/v1/nope')).json()).toEqual({ scope: 'v1' })
    expect((await app.inject('/apix')).json()).toMatchObject({ code: ERR.NOT_FOUND })
    expect((await app.inject('/other')).json()).toMatchObject({ code: ERR.NOT_FOUND })
  })

  it('does not replace a 405 for a known path under its prefix', async () => {
    const app = quietApp()
    const api = new Router({ prefix: '/api' }).notFound(() => 'custom')
    api.get('/items', () => [])
    app.mount(api)
    expect((await app.inject({ method: 'POST', url: '/api/items' })).status).toBe(405)
  })
})

describe('App onError and notFound', () => {
  it('replaces the response of a failed request; unmatched paths go to notFound, not onError', async () => {
    const app = quietApp()
    app.onError((err) => ({ custom: true, message: err.message }))
    app.notFound(() => ({ custom: true }))
    app.get('/boom', (ctx) => {
      ctx.header('content-type', 'text/csv')
      ctx.text('a,b')
      throw new Error('kaput')
    })
    const res = await app.inject('/boom')
    expect(res.status).toBe(500)
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(res.json()).toEqual({ custom: true, message: 'kaput' })
    const missing = await app.inject('/missing')
    expect(missing.status).toBe(404)
    expect(missing.json()).toMatchObject({ custom: true })
  })

  it('sees errors a router onError rethrew', async () => {
    const app = quietApp()
    const api = new Router({ prefix: '/api' }).onError((err) => {
      throw err
    })
    api.get('/x', () => {
      throw new HttpError(400, 'bad')
    })
    app.mount(api)
    app.onError((err) => ({ app: err.message }))
    expect((await app.inject('/api/x')).json()).toEqual({ app: 'bad' })
  })

  it('falls back to the default 500 when the app onError itself throws', async () => {
    const app = quietApp()
    app.onError(() => {
      throw new Error('handler broke')
    })
    app.get('/x', () => {
      throw new Error('first')
    })
    const res = await app.inject('/x')
    expect(res.status).toBe(500)
    expect(res.json()).toMatchObject({ code: ERR.INTERNAL, message: 'Internal Server Error' })
  })

  it('answers unmatched paths with the app notFound handler', async () => {
    const app = quietApp()
    app.notFound((ctx) => {
      ctx.status(404)
      return { custom: 'not here', path: ctx.path }
    })
    app.get('/x', () => 'x')
    const res = await app.inject('/nope')
    expect(res.status).toBe(404)
    expect(res.json()).toEqual({ custom: 'not here', path: '/nope' })
  })
})

describe('hidden 5xx messages', () => {
  it('says the reason phrase of the status, not always Internal Server Error', async () => {
    const app = quietApp()
    app.get('/db', () => {
      throw new HttpError(503, 'database password rejected for user admin')
    })
    const res = await app.inject('/db')
    expect(res.status).toBe(503)
    expect(res.json()).toMatchObject({ status: 503, message: 'Service Unavailable' })
    expect(res.body).not.toContain('password')
  })
})
