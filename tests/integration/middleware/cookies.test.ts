import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../../src/index.js'
import { cookies, type CookieState } from '../../../src/middleware/cookies/index.js'
import { cookieHeader, setCookie, start } from './helpers.js'

describe('cookies()', () => {
  let app: App<CookieState>
  let base: string

  beforeAll(async () => {
    app = createApp<CookieState>({ logger: false })
    app.use(cookies({ keys: ['new-key-0123456789abcdef0123456789', 'old-key-0123456789abcdef0123456789'] }))
    app.get('/read', (ctx) => ({
      theme: ctx.state.cookies.get('theme') ?? null,
      all: ctx.state.cookies.all(),
    }))
    app.get('/signed', (ctx) => ({ user: ctx.state.cookies.get('user', { signed: true }) ?? null }))
    app.post('/login', (ctx) => {
      ctx.state.cookies.set('user', 'ada', { signed: true, maxAge: 3600 })
      return { ok: true }
    })
    app.post('/twice', (ctx) => {
      ctx.state.cookies.set('theme', 'light').set('theme', 'dark')
      return { ok: true }
    })
    app.post('/logout', (ctx) => {
      ctx.state.cookies.delete('user')
      return { ok: true }
    })
    base = await start(app)
  })

  afterAll(() => app.close())

  it('reads the cookies the request carried', async () => {
    const res = await fetch(`${base}/read`, { headers: { cookie: 'theme=dark; lang=en' } })
    expect(await res.json()).toEqual({ theme: 'dark', all: { theme: 'dark', lang: 'en' } })
  })

  it('sets a signed cookie with safe defaults and reads it back', async () => {
    const login = await fetch(`${base}/login`, { method: 'POST' })
    const line = setCookie(login, 'user') ?? ''
    expect(line).toMatch(/^user=ada\.[\w-]+; Max-Age=3600; Path=\/; HttpOnly; SameSite=Lax$/)
    const res = await fetch(`${base}/signed`, { headers: { cookie: cookieHeader(login) } })
    expect(await res.json()).toEqual({ user: 'ada' })
  })

  it('reads a tampered or unsigned value as absent', async () => {
    const login = await fetch(`${base}/login`, { method: 'POST' })
    const forged = cookieHeader(login).replace('user=ada.', 'user=root.')
    for (const cookie of [forged, 'user=ada']) {
      const res = await fetch(`${base}/signed`, { headers: { cookie } })
      expect(await res.json()).toEqual({ user: null })
    }
  })

  it('accepts a value signed with an older key and re-signs it with the newest', async () => {
    const oldApp = createApp<CookieState>({ logger: false })
    oldApp.use(cookies({ keys: ['old-key-0123456789abcdef0123456789'] }))
    oldApp.post('/login', (ctx) => {
      ctx.state.cookies.set('user', 'ada', { signed: true })
      return { ok: true }
    })
    const oldCookie = (await oldApp.inject({ method: 'POST', url: '/login' })).headers['set-cookie'] as string
    const res = await fetch(`${base}/signed`, { headers: { cookie: oldCookie.split(';')[0] ?? '' } })
    expect(await res.json()).toEqual({ user: 'ada' })
    const rotated = setCookie(res, 'user') ?? ''
    expect(rotated).toMatch(/^user=ada\./)
    expect(rotated.split(';')[0]).not.toBe(oldCookie.split(';')[0])
  })

  it('sends one Set-Cookie when a cookie is set twice in a request', async () => {
    const res = await fetch(`${base}/twice`, { method: 'POST' })
    expect(res.headers.getSetCookie()).toEqual(['theme=dark; Path=/; HttpOnly; SameSite=Lax'])
  })

  it('expires a deleted cookie', async () => {
    const res = await fetch(`${base}/logout`, { method: 'POST' })
    expect(setCookie(res, 'user')).toMatch(
      /^user=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT/,
    )
  })

  it('refuses to sign without keys', async () => {
    const bare = createApp<CookieState>({ logger: false })
    bare.use(cookies())
    bare.get('/', (ctx) => ctx.state.cookies.get('user', { signed: true }) ?? 'none')
    const res = await bare.inject('/')
    expect(res.status).toBe(500)
  })
})
