import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createApp, HttpError, type App, type AppOptions } from '../../../src/index.js'
import { LEVEL, loggedApp } from '../app/helpers.js'

function quiet(options: AppOptions = {}): App {
  return createApp({ logger: false, ...options })
}

interface Problem {
  status: number
  code: string
  message: string
  details?: { location: string; message: string }[]
}

describe('route schema: params, query and headers', () => {
  const app = quiet()
  app.get(
    '/users/:id',
    {
      schema: {
        params: z.object({ id: z.number().int() }),
        query: z.object({
          tag: z.array(z.string()).optional(),
          ids: z.array(z.number()).default([]),
          active: z.boolean().optional(),
          since: z.date().optional(),
          limit: z.number().max(100).default(10),
        }),
        headers: z.object({ 'x-tenant': z.string().min(1), 'x-flags': z.array(z.string()).default([]) }),
      },
    },
    (ctx) => ({ ...ctx.valid, since: ctx.valid.query.since?.toISOString() }),
  )

  it('coerces strings to numbers, booleans, dates and arrays when the schema asks', async () => {
    const res = await app.inject({
      url: '/users/7?tag=a&ids=1&ids=2&active=true&since=2026-01-02T00:00:00Z',
      headers: { 'x-tenant': 'acme', 'x-flags': 'a, b' },
    })
    expect(res.status).toBe(200)
    expect(res.json()).toMatchObject({
      params: { id: 7 },
      query: { tag: ['a'], ids: [1, 2], active: true, limit: 10 },
      headers: { 'x-tenant': 'acme', 'x-flags': ['a', 'b'] },
      since: '2026-01-02T00:00:00.000Z',
    })
  })

  it('answers 422 ERR_VALIDATION listing each location when input is invalid', async () => {
    const res = await app.inject({ url: '/users/abc?limit=1000&active=maybe' })
    expect(res.status).toBe(422)
    const body = res.json<Problem>()
    expect(body.code).toBe('ERR_VALIDATION')
    expect(body.details?.map((d) => d.location).sort()).toEqual([
      'headers.x-tenant',
      'params.id',
      'query.active',
      'query.limit',
    ])
    expect(body.details?.every((d) => d.message.length > 0)).toBe(true)
  })
})

describe('route schema: body', () => {
  const Item = z.object({
    name: z.string().min(1),
    items: z.array(z.object({ name: z.string() })).default([]),
  })
  const app = quiet()
  app.post('/json', { schema: { body: Item } }, (ctx) => ctx.valid.body)
  app.post(
    '/forms',
    {
      schema: {
        body: {
          'application/json': z.object({ count: z.number() }),
          'application/x-www-form-urlencoded': z.object({ count: z.number(), tags: z.array(z.string()) }),
          'multipart/form-data': z.object({ count: z.number(), file: z.instanceof(File) }),
        },
      },
    },
    (ctx) => {
      const body = ctx.valid.body
      return 'file' in body ? { count: body.count, file: body.file.name, size: body.file.size } : body
    },
  )

  it('gives the handler the parsed body, defaults applied', async () => {
    const res = await app.inject({ method: 'POST', url: '/json', body: { name: 'pen' } })
    expect(res.json()).toEqual({ name: 'pen', items: [] })
  })

  it('locates nested issues as body.items[2].name', async () => {
    const body = { name: 'pen', items: [{ name: 'a' }, { name: 'b' }, { name: 3 }] }
    const res = await app.inject({ method: 'POST', url: '/json', body })
    expect(res.status).toBe(422)
    expect(res.json<Problem>().details).toEqual([
      { location: 'body.items[2].name', message: expect.any(String) },
    ])
  })

  it('answers 400 ERR_INVALID_JSON for malformed JSON', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/json',
      body: '{"name":',
      headers: { 'content-type': 'application/json' },
    })
    expect(res.status).toBe(400)
    expect(res.json<Problem>().code).toBe('ERR_INVALID_JSON')
  })

  it('answers 415 ERR_UNSUPPORTED_MEDIA_TYPE for a media type the route has no schema for', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/json',
      body: 'x',
      headers: { 'content-type': 'text/plain' },
    })
    expect(res.status).toBe(415)
    expect(res.json<Problem>().code).toBe('ERR_UNSUPPORTED_MEDIA_TYPE')
    expect(res.headers['accept-post']).toBe('application/json')
  })

  it('matches the media type case-insensitively, ignoring parameters and whitespace', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/json',
      body: JSON.stringify({ name: 'pen' }),
      headers: { 'content-type': ' Application/JSON ;  charset="utf-8"' },
    })
    expect(res.status).toBe(200)
  })

  it('parses urlencoded forms with coercion, selecting that media type’s schema', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/forms',
      body: 'count=3&tags=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
    })
    expect(res.json()).toEqual({ count: 3, tags: ['x'] })
  })

  it('parses multipart forms, fields coerced and files as File', async () => {
    const form = new FormData()
    form.set('count', '2')
    form.set('file', new Blob(['hello']), 'hello.txt')
    const request = new Request('http://x/', { method: 'POST', body: form })
    const res = await app.inject({
      method: 'POST',
      url: '/forms',
      body: Buffer.from(await request.arrayBuffer()),
      headers: { 'content-type': request.headers.get('content-type') ?? '' },
    })
    expect(res.json()).toEqual({ count: 2, file: 'hello.txt', size: 5 })
  })

  it('answers 413 for a multipart body with more fields than MULTIPART_LIMITS allows', async () => {
    const form = new FormData()
    form.set('count', '1')
    form.set('file', new Blob(['x']), 'x.txt')
    for (let i = 0; i < 1001; i++) form.append(`f${i}`, '')
    const request = new Request('http://x/', { method: 'POST', body: form })
    const res = await app.inject({
      method: 'POST',
      url: '/forms',
      body: Buffer.from(await request.arrayBuffer()),
      headers: { 'content-type': request.headers.get('content-type') ?? '' },
    })
    expect(res.status).toBe(413)
    expect(res.json()).toMatchObject({
      code: 'ERR_BODY_TOO_LARGE',
      message: expect.stringMatching(/too many/),
    })
  })

  it('selects the JSON schema for a JSON body on a route with several media types', async () => {
    const res = await app.inject({ method: 'POST', url: '/forms', body: { count: 'three' } })
    expect(res.status).toBe(422)
    expect(res.json<Problem>().details?.[0]?.location).toBe('body.count')
  })
})

describe('route schema: response', () => {
  const Out = z.object({ id: z.number() })
  const build = (responses: 'check' | 'strip' | false): App => {
    const app = quiet({ validation: { responses } })
    app.get('/ok', { schema: { response: { 200: Out } } }, () => ({ id: 1, secret: 's3cret' }))
    app.get('/bad', { schema: { response: { 200: Out } } }, () => ({ id: 'one' }))
    app.post('/created', { schema: { response: { 201: Out } } }, (ctx) => {
      ctx.status(201)
      return { id: 2, internal: true }
    })
    return app
  }

  it('never leaks fields the schema does not list', async () => {
    for (const mode of ['check', 'strip'] as const) {
      const app = build(mode)
      expect((await app.inject('/ok')).json()).toEqual({ id: 1 })
      expect((await app.inject({ method: 'POST', url: '/created' })).json()).toEqual({ id: 2 })
    }
  })

  it('answers a 500 showing the issues in check mode when the value fails its schema', async () => {
    const res = await build('check').inject('/bad')
    expect(res.status).toBe(500)
    expect(res.json<Problem>().message).toContain('response.id')
  })

  it('answers a plain 500 in strip mode when the value fails its schema', async () => {
    const res = await build('strip').inject('/bad')
    expect(res.status).toBe(500)
    expect(res.json<Problem>().message).toBe('Internal Server Error')
  })

  it('logs each issue of a response that fails its schema at error level', async () => {
    const { app, lines } = loggedApp({ validation: { responses: 'strip' } })
    app.get('/bad', { schema: { response: { 200: Out } } }, () => ({ id: 'one' }))
    await app.inject('/bad')
    const failed = lines.find((line) => line.msg === 'request failed')
    expect(failed?.level).toBe(LEVEL.error)
    expect(failed?.err?.message).toMatch(/^response 200 does not match its schema: response\.id: /)
  })

  it('sends the value as returned when response validation is off', async () => {
    expect((await build(false).inject('/ok')).json()).toEqual({ id: 1, secret: 's3cret' })
  })
})

describe('validation options: onError', () => {
  it('shapes the error body with the hook', async () => {
    const app = quiet({
      validation: {
        onError: (issues) =>
          new HttpError(400, 'bad input', { code: 'E_INPUT', details: issues.map((i) => i.location) }),
      },
    })
    app.get('/q', { schema: { query: z.object({ n: z.number() }) } }, (ctx) => ctx.valid.query)
    const res = await app.inject('/q?n=x')
    expect(res.status).toBe(400)
    expect(res.json()).toMatchObject({ code: 'E_INPUT', message: 'bad input', details: ['query.n'] })
  })
})

describe('validation step in the onion', () => {
  it('runs after app, router and route middleware, right before the handler', async () => {
    const app = quiet()
    const seen: string[] = []
    app.use(async (_ctx, next) => {
      seen.push('app')
      await next()
    })
    const guard = (ctx: { headers: Record<string, string | undefined> }) => {
      seen.push('route')
      if (!ctx.headers.authorization) throw new HttpError(401)
    }
    app.post(
      '/p',
      { schema: { body: z.object({ a: z.string() }) } },
      async (ctx, next) => {
        guard(ctx)
        await next()
      },
      (ctx) => ctx.valid.body,
    )
    const denied = await app.inject({
      method: 'POST',
      url: '/p',
      body: 'not json',
      headers: { 'content-type': 'application/json' },
    })
    expect(denied.status).toBe(401)
    const ok = await app.inject({
      method: 'POST',
      url: '/p',
      body: { a: 'x' },
      headers: { authorization: 'x' },
    })
    expect(ok.json()).toEqual({ a: 'x' })
    expect(seen).toEqual(['app', 'route', 'app', 'route'])
  })

  it('leaves ctx.valid empty and the body unread on routes without schemas', async () => {
    const app = quiet()
    app.post('/raw', async (ctx) => ({ valid: ctx.valid, text: await ctx.req.text() }))
    const res = await app.inject({
      method: 'POST',
      url: '/raw',
      body: 'plain',
      headers: { 'content-type': 'text/plain' },
    })
    expect(res.json()).toEqual({ valid: {}, text: 'plain' })
  })
})
