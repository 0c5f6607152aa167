import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, redirectBack, redirectTo, type App } from '../../../src/index.js'
import { hasResponses, onlyResponse, type ParsedResponse } from '../helpers/http-parse.js'
import { rawRequest } from '../helpers/raw-socket.js'
import { get } from '../helpers/server.js'

const CORES = ['uws', 'node'] as const

describe.each(CORES)('open redirects (C14) on the %s core', (core) => {
  let app: App
  let port: number

  beforeAll(async () => {
    app = createApp({ logger: false })
    app.get('/health', () => ({ status: 'ok' }))
    app.get('/go', (ctx) => redirectTo(ctx, ctx.query.get('to'), { allowHosts: ['example.com'] }))
    app.get('/back', (ctx) => redirectBack(ctx))
    ;({ port } = await app.listen({ port: 0, signals: false, core }))
  })

  afterAll(() => app.close())

  /** One raw request (fetch would follow the redirect, or refuse some of these Referers). */
  async function raw(target: string, headers: Record<string, string> = {}): Promise<ParsedResponse> {
    const result = await rawRequest(port, get(target, headers), { until: hasResponses(1) })
    return onlyResponse(result.received)
  }

  const go = (to: string): Promise<ParsedResponse> => raw(`/go?to=${encodeURIComponent(to)}`)

  it('C14: /go to an allow-listed host redirects with 302 and that Location', async () => {
    const res = await go('https://example.com/welcome?x=1')
    expect(res.status).toBe(302)
    expect(res.getAll('location')).toEqual(['https://example.com/welcome?x=1'])
  })

  it('C14: /go?to=http://example.com%5C@evil.test gives a Location whose WHATWG host is still example.com', async () => {
    const res = await raw('/go?to=http://example.com%5C@evil.test')
    expect(res.status).toBe(302)
    const location = res.get('location') ?? ''
    expect(new URL(location).host).toBe('example.com')
    // The same text with the backslash still escaped names evil.test (userinfo "example.com%5C"): refused.
    expect((await go('http://example.com%5C@evil.test')).status).toBe(400)
  })

  it.each([
    'https://evil.test/',
    '//evil.test',
    '/\\evil.test',
    '\\/evil.test',
    '/\t/evil.test',
    '///evil.test',
    'https:evil.test',
    'https://example.com@evil.test',
    'https://example.com.evil.test',
    'https://evil.test#example.com',
    'https://user:pass@example.com/',
    'ftp://example.com/',
    'data:text/html,<script>alert(1)</script>',
    '',
  ])('C14: /go refuses %j with 400 and no Location', async (to) => {
    const res = await go(to)
    expect(res.status).toBe(400)
    expect(res.get('location')).toBeUndefined()
    expect(JSON.parse(res.body.toString())).toMatchObject({ status: 400, code: 'ERR_BAD_REQUEST' })
  })

  it.each(['javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'java\tscript:alert(1)'])(
    'C14: /go?to=%j answers 400 JSON and reflects nothing of the target',
    async (to) => {
      const res = await go(to)
      expect(res.status).toBe(400)
      expect(res.get('content-type')).toMatch(/^application\/json/)
      expect(res.get('location')).toBeUndefined()
      expect(res.body.toString()).not.toMatch(/alert|script/i)
    },
  )

  it('C14: /go without a target answers 400', async () => {
    expect((await raw('/go')).status).toBe(400)
  })

  it('C14: same-origin paths are followed, never as a protocol-relative //host', async () => {
    expect((await go('/account?tab=2#top')).get('location')).toBe('/account?tab=2#top')
    expect((await go('/.//evil.test')).get('location')).toBe('/evil.test')
    expect((await go('/..//evil.test')).get('location')).toBe('/evil.test')
    // Same scheme without slashes is relative in WHATWG: it stays a path here, whatever the page's scheme.
    expect((await go('http:evil.test')).get('location')).toBe('/evil.test')
  })

  it('C14: CR and LF in a target never split the response (one Location, no injected header)', async () => {
    const res = await raw('/go?to=/a%0D%0ASet-Cookie:%20admin=1')
    expect(res.status).toBe(302)
    expect(res.getAll('location')).toEqual(['/aSet-Cookie:%20admin=1'])
    expect(res.get('set-cookie')).toBeUndefined()
  })

  it.each(['https://evil.test/x', '//evil.test/login/', '/\\evil.test', 'javascript:alert(1)'])(
    'C14: /back with Referer %j redirects to /',
    async (referer) => {
      const res = await raw('/back', { Referer: referer })
      expect(res.status).toBe(302)
      expect(res.getAll('location')).toEqual(['/'])
    },
  )

  it('C14: /back with a Referer naming another host in its userinfo trick redirects to /', async () => {
    const res = await raw('/back', { Referer: 'http://127.0.0.1@evil.test/x' })
    expect(res.get('location')).toBe('/')
  })

  it('C14: /back follows a same-origin Referer as a path, and falls back to / without one', async () => {
    // The raw requests send `Host: 127.0.0.1`: a Referer on that host is this origin.
    const own = await raw('/back', { Referer: 'http://127.0.0.1/cart?step=2' })
    expect(own.get('location')).toBe('/cart?step=2')
    const relative = await raw('/back', { Referer: '/orders' })
    expect(relative.get('location')).toBe('/orders')
    expect((await raw('/back')).get('location')).toBe('/')
  })

  it('keeps serving GET /health afterwards', async () => {
    const res = await raw('/health')
    expect(res.status).toBe(200)
  })
})
