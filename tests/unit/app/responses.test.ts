import { describe, expect, it } from 'vitest'
import { ERR } from '../../../src/index.js'
import { LEVEL, loggedApp, quietApp } from './helpers.js'

describe('handler return values', () => {
  it('sends an object or array as 200 JSON', async () => {
    const app = quietApp()
    app.get('/obj', () => ({ a: 1 }))
    app.get('/arr', async () => [1, 2])
    const obj = await app.inject('/obj')
    expect(obj.status).toBe(200)
    expect(obj.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(obj.json()).toEqual({ a: 1 })
    expect((await app.inject('/arr')).json()).toEqual([1, 2])
  })

  it('sends a string as text/plain with its byte length', async () => {
    const app = quietApp()
    app.get('/text', () => 'olá')
    const res = await app.inject('/text')
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8')
    expect(res.headers['content-length']).toBe('4')
    expect(res.body).toBe('olá')
  })

  it('sends a Buffer or Uint8Array as application/octet-stream', async () => {
    const app = quietApp()
    app.get('/buf', () => Buffer.from([0, 1, 2, 255]))
    app.get('/u8', () => new Uint8Array([9, 8]))
    const buf = await app.inject('/buf')
    expect(buf.headers['content-type']).toBe('application/octet-stream')
    expect([...buf.rawBody]).toEqual([0, 1, 2, 255])
    expect([...(await app.inject('/u8')).rawBody]).toEqual([9, 8])
  })

  it('answers 204 with no body when the handler returns undefined', async () => {
    const app = quietApp()
    app.delete('/items/:id', async () => undefined)
    const res = await app.inject({ method: 'DELETE', url: '/items/1' })
    expect(res.status).toBe(204)
    expect(res.body).toBe('')
    expect(res.headers['content-type']).toBeUndefined()
  })

  it('keeps a status set with ctx.status() for a returned value', async () => {
    const app = quietApp()
    app.post('/items', (ctx) => {
      ctx.status(201).header('location', '/items/1')
      return { id: 1 }
    })
    const res = await app.inject({ method: 'POST', url: '/items', body: { name: 'a' } })
    expect(res.status).toBe(201)
    expect(res.headers.location).toBe('/items/1')
    expect(res.json()).toEqual({ id: 1 })
  })

  it('keeps a status set with ctx.status() when the handler returns nothing', async () => {
    const app = quietApp()
    app.post('/jobs', (ctx) => void ctx.status(202))
    const res = await app.inject({ method: 'POST', url: '/jobs' })
    expect(res.status).toBe(202)
    expect(res.body).toBe('')
  })

  it('sends what the handler wrote through ctx when it returns undefined', async () => {
    const app = quietApp()
    app.get('/html', (ctx) => void ctx.html('<p>hi</p>', 200))
    const res = await app.inject('/html')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(res.body).toBe('<p>hi</p>')
  })

  it('keeps a content-type the handler set', async () => {
    const app = quietApp()
    app.get('/feed', (ctx) => {
      ctx.header('Content-Type', 'application/atom+xml')
      return '<feed/>'
    })
    expect((await app.inject('/feed')).headers['content-type']).toBe('application/atom+xml')
  })

  it('redirects with a Location header and 302 by default', async () => {
    const app = quietApp()
    app.get('/old', (ctx) => void ctx.redirect('/new'))
    app.get('/moved', (ctx) => void ctx.redirect('/new', 301))
    const res = await app.inject('/old')
    expect(res.status).toBe(302)
    expect(res.headers.location).toBe('/new')
    expect((await app.inject('/moved')).status).toBe(301)
  })

  it('lets app middleware set headers after await next()', async () => {
    const app = quietApp()
    app.use(async (ctx, next) => {
      await next()
      ctx.header('x-after', String(ctx.res.status))
    })
    app.get('/x', () => 'x')
    expect((await app.inject('/x')).headers['x-after']).toBe('200')
  })

  it('sends a value returned by middleware without running the handler', async () => {
    const app = quietApp()
    let ran = false
    app.use(async (ctx) => {
      ctx.status(401)
      return { denied: true }
    })
    app.get('/x', () => {
      ran = true
      return 'x'
    })
    const res = await app.inject('/x')
    expect(res.status).toBe(401)
    expect(res.json()).toEqual({ denied: true })
    expect(ran).toBe(false)
  })

  it('appends repeated headers such as set-cookie', async () => {
    const app = quietApp()
    app.get('/x', (ctx) => {
      ctx.appendHeader('set-cookie', 'a=1').appendHeader('Set-Cookie', 'b=2')
      return 'x'
    })
    expect((await app.inject('/x')).headers['set-cookie']).toEqual(['a=1', 'b=2'])
  })
})

describe('sending once', () => {
  it('ignores a second ctx.json() and logs a warning', async () => {
    const { app, lines } = loggedApp()
    app.get('/twice', (ctx) => {
      ctx.json({ first: true })
      ctx.json({ second: true }, 500)
    })
    const res = await app.inject('/twice')
    expect(res.status).toBe(200)
    expect(res.json()).toEqual({ first: true })
    const warnings = lines.filter((line) => line.level === LEVEL.warn)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]?.msg).toMatch(/already sent/)
    expect(warnings[0]?.reqId).toBe(lines.find((l) => l.msg === 'request completed')?.reqId)
  })

  it('ignores a returned value after ctx.text() and logs a warning', async () => {
    const { app, lines } = loggedApp()
    app.get('/both', (ctx) => {
      ctx.text('written')
      return { returned: true }
    })
    expect((await app.inject('/both')).body).toBe('written')
    expect(lines.filter((line) => line.level === LEVEL.warn)).toHaveLength(1)
  })

  // `return ctx.json(...)` is the idiom Hono users bring; it is one response, not two.
  it('does not warn when a handler returns the result of ctx.json()', async () => {
    const { app, lines } = loggedApp()
    app.get('/idiom', (ctx) => ctx.json({ ok: true }, 201))
    const res = await app.inject('/idiom')
    expect(res.status).toBe(201)
    expect(res.json()).toEqual({ ok: true })
    expect(lines.filter((line) => line.level === LEVEL.warn)).toEqual([])
  })
  it('keeps the response of `return ctx.json()` when ctx.state holds a circular object', async () => {
    const app = quietApp()
    app.use(async (ctx, next) => {
      const pool: Record<string, unknown> = { name: 'db' }
      pool.self = pool
      ctx.state.pool = pool
      await next()
    })
    app.get('/idiom', (ctx) => ctx.json({ ok: true }))
    const res = await app.inject('/idiom')
    expect(res.status).toBe(200)
    expect(res.json()).toEqual({ ok: true })
  })
})

describe('ctx.header() validation', () => {
  it('answers 500 ERR_INVALID_HEADER for CR/LF in a value, and injects no header', async () => {
    const app = quietApp()
    app.get('/split', (ctx) => {
      ctx.header('x-name', 'a\r\nset-cookie: pwned=1')
      return 'unreachable'
    })
    const res = await app.inject('/split')
    expect(res.status).toBe(500)
    expect(res.json()).toMatchObject({ status: 500, code: ERR.INVALID_HEADER })
    expect(res.headers['set-cookie']).toBeUndefined()
    expect(res.headers['x-name']).toBeUndefined()
  })

  it.each([
    ['a NUL in a value', 'x-a', 'a\0b'],
    ['a bare LF in a value', 'x-a', 'a\nb'],
    ['a space in a name', 'x a', 'v'],
    ['a colon in a name', 'x:a', 'v'],
    ['an empty name', '', 'v'],
  ])('answers 500 ERR_INVALID_HEADER for %s', async (_what, name, value) => {
    const app = quietApp()
    app.get('/h', (ctx) => void ctx.header(name, value).text('x'))
    const res = await app.inject('/h')
    expect(res.status).toBe(500)
    expect(res.json()).toMatchObject({ code: ERR.INVALID_HEADER })
  })

  it('rejects an invalid value given to appendHeader() and setHeaders() too', async () => {
    const app = quietApp()
    app.get('/append', (ctx) => void ctx.appendHeader('set-cookie', 'a=1\r\nx: y'))
    app.get('/set', (ctx) => void ctx.setHeaders({ 'x-ok': 'fine', 'x-bad': 'a\rb' }))
    expect((await app.inject('/append')).json()).toMatchObject({ code: ERR.INVALID_HEADER })
    expect((await app.inject('/set')).json()).toMatchObject({ code: ERR.INVALID_HEADER })
  })
})

describe('ctx.status()', () => {
  it('answers 500 when given a status outside 100-999', async () => {
    const app = quietApp()
    app.get('/bad', (ctx) => void ctx.status(42))
    expect((await app.inject('/bad')).status).toBe(500)
  })
})
