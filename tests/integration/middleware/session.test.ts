import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, HttpError, type App } from '../../../src/index.js'
import { MemorySessionStore, session, type SessionState } from '../../../src/middleware/session/index.js'
import { cookieHeader, setCookie, start } from './helpers.js'

interface Data extends Record<string, unknown> {
  user: string
  visits: number
}

describe('session()', () => {
  let app: App<SessionState<Data>>
  let base: string
  let now = 1_000_000
  const store = new MemorySessionStore({ now: () => now })

  beforeAll(async () => {
    app = createApp<SessionState<Data>>({ logger: false })
    app.use(session({ keys: ['session-key-0123456789abcdef0123456789'], store, maxAge: 60 }))
    app.get('/public', () => ({ ok: true }))
    app.get('/me', (ctx) => ({ user: ctx.state.session.data.user ?? null, id: ctx.state.session.id }))
    app.post('/visit', (ctx) => {
      const s = ctx.state.session
      s.data.visits = (s.data.visits ?? 0) + 1
      return { visits: s.data.visits }
    })
    app.post('/login', (ctx) => {
      ctx.state.session.regenerate()
      ctx.state.session.data.user = 'ada'
      return { ok: true }
    })
    app.post('/logout', (ctx) => {
      ctx.state.session.destroy()
      return { ok: true }
    })
    app.post('/fail', (ctx) => {
      ctx.state.session.data.user = 'mallory'
      throw new HttpError(400, 'nope')
    })
    base = await start(app)
  })

  afterAll(() => app.close())

  const post = (path: string, cookie = ''): Promise<Response> =>
    fetch(`${base}${path}`, { method: 'POST', headers: { cookie } })
  const me = async (cookie: string): Promise<{ user: string | null; id: string }> =>
    (await fetch(`${base}/me`, { headers: { cookie } })).json() as Promise<{
      user: string | null
      id: string
    }>

  it('sets no cookie and stores nothing for a request that leaves the session empty', async () => {
    const before = store.size
    const res = await fetch(`${base}/public`)
    expect(res.headers.getSetCookie()).toEqual([])
    expect(store.size).toBe(before)
  })

  it('keeps data across requests on a signed, HttpOnly cookie', async () => {
    const first = await post('/visit')
    expect(setCookie(first, 'sid')).toMatch(
      /^sid=[\w-]+\.[\w-]+; Max-Age=60; Path=\/; HttpOnly; SameSite=Lax$/,
    )
    const second = await post('/visit', cookieHeader(first))
    expect(await second.json()).toEqual({ visits: 2 })
  })

  it('gives a new id on login so that an id planted before login is worthless', async () => {
    const anonymous = await post('/visit')
    const planted = cookieHeader(anonymous)
    const login = await post('/login', planted)
    const loggedIn = cookieHeader(login)
    expect(loggedIn).not.toBe(planted)
    expect((await me(loggedIn)).user).toBe('ada')
    expect((await me(planted)).user).toBeNull()
  })

  it('expires the cookie and forgets the data on destroy', async () => {
    const login = cookieHeader(await post('/login'))
    const logout = await post('/logout', login)
    expect(setCookie(logout, 'sid')).toMatch(/^sid=; Max-Age=0/)
    expect((await me(login)).user).toBeNull()
  })

  it('rolls the expiry forward on each response, so only idle sessions expire', async () => {
    const login = cookieHeader(await post('/login'))
    now += 40_000
    const rolled = await fetch(`${base}/me`, { headers: { cookie: login } })
    expect(setCookie(rolled, 'sid')).toMatch(/Max-Age=60/)
    now += 40_000 // 80 s after login, 40 s after the last request
    expect((await me(login)).user).toBe('ada')
    now += 61_000
    expect((await me(login)).user).toBeNull()
  })

  it('ignores a forged or unknown id and never adopts it', async () => {
    const forged = 'sid=attacker-chosen-id.bm90LWEtc2lnbmF0dXJl'
    const res = await me(forged)
    expect(res.user).toBeNull()
    expect(res.id).not.toBe('attacker-chosen-id')
  })

  it('saves nothing when the handler throws', async () => {
    const login = cookieHeader(await post('/login'))
    const res = await post('/fail', login)
    expect(res.status).toBe(400)
    expect((await me(login)).user).toBe('ada')
  })
})

describe('session() with a custom store', () => {
  it('calls the store interface: get, set with maxAge in seconds, destroy', async () => {
    const calls: string[] = []
    const data = new Map<string, Record<string, unknown>>()
    const app = createApp<SessionState>({ logger: false })
    app.use(
      session({
        keys: ['k-0123456789abcdef0123456789abcdef'],
        maxAge: 120,
        store: {
          get: async (id) => (calls.push('get'), data.get(id)),
          set: async (id, value, maxAge) => void (calls.push(`set ${maxAge}`), data.set(id, value)),
          destroy: async (id) => void (calls.push('destroy'), data.delete(id)),
        },
      }),
    )
    app.post('/login', (ctx) => {
      ctx.state.session.data.user = 'ada'
      return 'ok'
    })
    app.post('/logout', (ctx) => (ctx.state.session.destroy(), 'bye'))
    const base = await start(app)
    try {
      const login = await fetch(`${base}/login`, { method: 'POST' })
      await fetch(`${base}/logout`, { method: 'POST', headers: { cookie: cookieHeader(login) } })
      expect(calls).toEqual(['set 120', 'get', 'destroy'])
      expect(data.size).toBe(0)
    } finally {
      await app.close()
    }
  })

  it('refuses to start without signing keys', () => {
    expect(() => session({ keys: [] })).toThrow(TypeError)
  })
})
