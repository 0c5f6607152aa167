import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../../src/index.js'
import { csrf, type CsrfState } from '../../../src/middleware/csrf/index.js'
import { cookieHeader, setCookie, start } from './helpers.js'

describe('csrf()', () => {
  let app: App<CsrfState>
  let base: string

  beforeAll(async () => {
    app = createApp<CsrfState>({ logger: false })
    app.use(csrf({ keys: ['csrf-key-0123456789abcdef0123456789'] }))
    app.get('/form', (ctx) => ({ token: ctx.state.csrfToken }))
    app.post('/transfer', async (ctx) => {
      const form = ctx.headers['content-type']?.startsWith('application/x-www-form')
        ? await ctx.req.form()
        : null
      return { ok: true, amount: form?.get('amount') ?? null }
    })
    base = await start(app)
  })

  afterAll(() => app.close())

  async function session(): Promise<{ cookie: string; token: string }> {
    const res = await fetch(`${base}/form`)
    const { token } = (await res.json()) as { token: string }
    return { cookie: cookieHeader(res), token }
  }

  it('sets a script-readable, SameSite=Strict token cookie and exposes the token', async () => {
    const res = await fetch(`${base}/form`)
    const line = setCookie(res, 'csrf') ?? ''
    const { token } = (await res.json()) as { token: string }
    expect(line).toBe(`csrf=${token}; Path=/; SameSite=Strict`)
  })

  it('lets safe methods through without a token', async () => {
    expect((await fetch(`${base}/form`, { method: 'HEAD' })).status).toBe(200)
  })

  it('answers 403 to a POST without a token, with or without a content type', async () => {
    const { cookie } = await session()
    const bodies: RequestInit[] = [
      { headers: { cookie } },
      { headers: { cookie, 'content-type': 'application/json' }, body: '{}' },
      { headers: { cookie, 'content-type': 'text/plain' }, body: 'amount=100' },
    ]
    for (const init of bodies) {
      const res = await fetch(`${base}/transfer`, { method: 'POST', ...init })
      expect(res.status).toBe(403)
      expect(await res.json()).toMatchObject({
        code: 'ERR_FORBIDDEN',
        message: 'missing or invalid CSRF token',
      })
    }
  })

  it('accepts the token in the x-csrf-token header', async () => {
    const { cookie, token } = await session()
    const res = await fetch(`${base}/transfer`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': token },
    })
    expect(await res.json()).toEqual({ ok: true, amount: null })
  })

  it('accepts the token in the _csrf field of a urlencoded form, which the handler can still read', async () => {
    const { cookie, token } = await session()
    const res = await fetch(`${base}/transfer`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: token, amount: '100' }).toString(),
    })
    expect(await res.json()).toEqual({ ok: true, amount: '100' })
  })

  it('answers 403 when the header does not match the cookie', async () => {
    const { cookie } = await session()
    const other = await session()
    const res = await fetch(`${base}/transfer`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': other.token },
    })
    expect(res.status).toBe(403)
  })

  it('answers 403 to a cookie planted without a valid signature, even when the header echoes it', async () => {
    const res = await fetch(`${base}/transfer`, {
      method: 'POST',
      headers: { cookie: 'csrf=planted', 'x-csrf-token': 'planted' },
    })
    expect(res.status).toBe(403)
    expect(setCookie(res, 'csrf')).toMatch(/^csrf=[\w-]+\.[\w-]+;/)
  })
})
