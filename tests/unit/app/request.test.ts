import { describe, expect, it } from 'vitest'
import { ERR } from '../../../src/index.js'
import { quietApp } from './helpers.js'

const FORM = 'application/x-www-form-urlencoded'

function echoApp(options: Parameters<typeof quietApp>[0] = {}) {
  const app = quietApp(options)
  let runs = 0
  app.post('/json', async (ctx) => {
    runs++
    return { got: await ctx.req.json() }
  })
  app.post('/text', async (ctx) => ctx.req.text())
  app.post('/bytes', async (ctx) => ({ length: (await ctx.req.arrayBuffer()).byteLength }))
  app.post('/form', async (ctx) => Object.fromEntries(await ctx.req.form()))
  app.post('/twice', async (ctx) => ({ same: (await ctx.req.text()) === (await ctx.req.text()) }))
  app.post('/ignore', () => 'did not read')
  return { app, runs: () => runs }
}

describe('ctx.req.json()', () => {
  it('parses a JSON body', async () => {
    const { app } = echoApp()
    const res = await app.inject({ method: 'POST', url: '/json', body: { name: 'Ada', tags: ['x'] } })
    expect(res.status).toBe(200)
    expect(res.json()).toEqual({ got: { name: 'Ada', tags: ['x'] } })
  })

  it('answers malformed JSON with 400 ERR_INVALID_JSON', async () => {
    const { app } = echoApp()
    const res = await app.inject({
      method: 'POST',
      url: '/json',
      body: '{"name":',
      headers: { 'content-type': 'application/json' },
    })
    expect(res.status).toBe(400)
    expect(res.json()).toMatchObject({ status: 400, code: ERR.INVALID_JSON })
  })

  it('answers an empty body with 400 ERR_INVALID_JSON, never a silent {}', async () => {
    const { app } = echoApp()
    const res = await app.inject({ method: 'POST', url: '/json' })
    expect(res.status).toBe(400)
    expect(res.json()).toMatchObject({ code: ERR.INVALID_JSON })
  })

  it.each([
    ['a top-level __proto__ key', '{"__proto__":{"x":1}}'],
    ['a nested __proto__ key', '{"a":{"__proto__":{"x":1}}}'],
    ['constructor.prototype', '{"constructor":{"prototype":{"x":1}}}'],
  ])('answers %s with 400 and leaves Object.prototype untouched', async (_what, body) => {
    const { app } = echoApp()
    const res = await app.inject({
      method: 'POST',
      url: '/json',
      body,
      headers: { 'content-type': 'application/json' },
    })
    expect(res.status).toBe(400)
    expect(res.json()).toMatchObject({ code: ERR.INVALID_JSON })
    expect(({} as Record<string, unknown>).x).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('x')
  })
})

describe('ctx.req body readers', () => {
  it('reads the body as text', async () => {
    const { app } = echoApp()
    expect((await app.inject({ method: 'POST', url: '/text', body: 'héllo' })).body).toBe('héllo')
  })

  it('reads the body as an ArrayBuffer', async () => {
    const { app } = echoApp()
    const res = await app.inject({ method: 'POST', url: '/bytes', body: Buffer.from([1, 2, 3]) })
    expect(res.json()).toEqual({ length: 3 })
  })

  it('returns the same body when read twice', async () => {
    const { app } = echoApp()
    expect((await app.inject({ method: 'POST', url: '/twice', body: 'abc' })).json()).toEqual({ same: true })
  })

  it('parses a urlencoded form, with a charset parameter in the content type', async () => {
    const { app } = echoApp()
    const res = await app.inject({
      method: 'POST',
      url: '/form',
      body: 'name=Jo%C3%A3o&city=S%C3%A3o+Paulo',
      headers: { 'content-type': `${FORM}; charset=UTF-8` },
    })
    expect(res.json()).toEqual({ name: 'João', city: 'São Paulo' })
  })

  it('answers form() with 415 when the body is not urlencoded', async () => {
    const { app } = echoApp()
    const res = await app.inject({ method: 'POST', url: '/form', body: { name: 'x' } })
    expect(res.status).toBe(415)
    expect(res.json()).toMatchObject({ status: 415, code: ERR.UNSUPPORTED_MEDIA_TYPE })
  })
})

describe('limits.body', () => {
  it('answers 413 ERR_BODY_TOO_LARGE before the handler runs', async () => {
    const { app, runs } = echoApp({ limits: { body: 16 } })
    const res = await app.inject({ method: 'POST', url: '/json', body: { text: 'seventeen bytes' } })
    expect(res.status).toBe(413)
    expect(res.json()).toMatchObject({ status: 413, code: ERR.BODY_TOO_LARGE })
    expect(runs()).toBe(0)
  })

  it('accepts a body of exactly the limit', async () => {
    const { app } = echoApp({ limits: { body: 16 } })
    const body = 'x'.repeat(16)
    expect((await app.inject({ method: 'POST', url: '/text', body })).body).toBe(body)
  })

  it('answers 413 when a route lowers ctx.req.bodyLimit below the body', async () => {
    const app = quietApp()
    app.post(
      '/small',
      async (ctx, next) => {
        ctx.req.bodyLimit = 4
        await next()
      },
      async (ctx) => ctx.req.text(),
    )
    const res = await app.inject({ method: 'POST', url: '/small', body: 'too long' })
    expect(res.status).toBe(413)
  })

  it('defaults to 1 MiB', async () => {
    const { app } = echoApp()
    const ok = await app.inject({ method: 'POST', url: '/bytes', body: Buffer.alloc(1024 * 1024) })
    const tooBig = await app.inject({ method: 'POST', url: '/bytes', body: Buffer.alloc(1024 * 1024 + 1) })
    expect(ok.json()).toEqual({ length: 1024 * 1024 })
    expect(tooBig.status).toBe(413)
  })
})

describe('request limits', () => {
  it('answers a request target longer than limits.url with 414 ERR_URI_TOO_LONG', async () => {
    const app = quietApp()
    app.get('/*', () => 'ok')
    const res = await app.inject('/' + 'a'.repeat(8192))
    expect(res.status).toBe(414)
    expect(res.json()).toMatchObject({ status: 414, code: ERR.URI_TOO_LONG })
    expect((await app.inject('/' + 'a'.repeat(8191))).status).toBe(200)
  })

  it('counts the query string in the URL limit and honours a configured limit', async () => {
    const app = quietApp({ limits: { url: 32 } })
    app.get('/search', () => 'ok')
    expect((await app.inject(`/search?q=${'x'.repeat(30)}`)).status).toBe(414)
    expect((await app.inject('/search?q=short')).status).toBe(200)
  })

  it('answers a header block larger than limits.headers with 431 ERR_HEADERS_TOO_LARGE', async () => {
    const app = quietApp()
    app.get('/x', () => 'ok')
    const res = await app.inject({ url: '/x', headers: { cookie: 'a'.repeat(17 * 1024) } })
    expect(res.status).toBe(431)
    expect(res.json()).toMatchObject({ status: 431, code: ERR.HEADERS_TOO_LARGE })
  })

  it('answers an Expect other than 100-continue with 417 ERR_EXPECTATION_FAILED', async () => {
    const app = quietApp()
    app.post('/x', () => 'ok')
    const res = await app.inject({ method: 'POST', url: '/x', headers: { expect: 'foo' } })
    expect(res.status).toBe(417)
    expect(res.json()).toMatchObject({ status: 417, code: ERR.EXPECTATION_FAILED })
    const ok = await app.inject({ method: 'POST', url: '/x', headers: { expect: '100-Continue' }, body: 'a' })
    expect(ok.status).toBe(200)
  })
})

describe('ctx.query and request data', () => {
  it('gives the first value with get() and every value with getAll()', async () => {
    const app = quietApp()
    app.get('/search', (ctx) => ({
      tag: ctx.query.get('tag'),
      tags: ctx.query.getAll('tag'),
      nested: ctx.query.get('a[b]'),
      missing: ctx.query.get('nope'),
      url: ctx.url,
    }))
    const res = await app.inject('/search?tag=a&tag=b&a[b]=1&q=x%20y')
    expect(res.json()).toEqual({
      tag: 'a',
      tags: ['a', 'b'],
      nested: '1',
      missing: null,
      url: '/search?tag=a&tag=b&a[b]=1&q=x%20y',
    })
  })

  it('exposes the method, the canonical path and lower-cased headers', async () => {
    const app = quietApp()
    app.put('/x/:id', (ctx) => ({
      method: ctx.method,
      path: ctx.path,
      agent: ctx.headers['user-agent'],
      via: ctx.req.header('X-Via'),
    }))
    const res = await app.inject({
      method: 'put',
      url: '/x/%7e1',
      headers: { 'User-Agent': 'test/1', 'x-via': 'proxy' },
    })
    expect(res.json()).toEqual({ method: 'PUT', path: '/x/~1', agent: 'test/1', via: 'proxy' })
  })
})

describe('ctx.abort()', () => {
  it('fires ctx.signal with the reason while the response can still be written', async () => {
    const app = quietApp()
    app.get('/give-up', (ctx) => {
      const seen: unknown[] = []
      ctx.signal.addEventListener('abort', () => seen.push(ctx.signal.reason))
      ctx.abort(new Error('deadline'))
      ctx.abort(new Error('second call is a no-op'))
      return { aborted: ctx.signal.aborted, reasons: seen.map((r) => (r as Error).message) }
    })
    const res = await app.inject('/give-up')
    expect(res.status).toBe(200)
    expect(res.json()).toEqual({ aborted: true, reasons: ['deadline'] })
  })
})
