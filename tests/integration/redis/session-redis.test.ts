/**
 * RedisSessionStore against a real redis-server: a session created on instance A is read on instance B (each
 * with its own ioredis client, as two processes would have), destroy and TTL expiry work, touch extends,
 * entries are parsed prototype-safely, and a stopped Redis answers 503 while the process keeps serving.
 */
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, RedisSessionStore, session, type App, type SessionState } from '../../../src/index.js'
import { startRedis, type RedisServer } from '../helpers/redis.js'
import { captureLogs, waitUntil, watchProcessErrors } from '../helpers/server.js'

interface Data extends Record<string, unknown> {
  user: string
  visits: number
}

interface Instance {
  url: string
  store: RedisSessionStore
  client: Redis
}

const KEYS = ['redis-session-key-0123456789abcdef0123']
const PREFIX = 'test:sess:'

describe('RedisSessionStore', () => {
  let redis: RedisServer
  let admin: Redis
  const apps: App<SessionState<Data>>[] = []
  const clients: Redis[] = []
  const { logger, lines } = captureLogs()
  let a: Instance
  let b: Instance
  let brief: Instance // maxAge 1 s, for expiry

  async function instance(maxAge: number): Promise<Instance> {
    const client = new Redis(redis.url)
    client.on('error', () => {}) // expected once the server is stopped
    clients.push(client)
    const store = new RedisSessionStore(client, { prefix: PREFIX, timeoutMs: 300 })
    const app = createApp<SessionState<Data>>({ logger })
    app.use(session({ keys: KEYS, store, maxAge }))
    app.get('/public', () => ({ ok: true }))
    app.get('/me', (ctx) => ({
      id: ctx.state.session.id,
      isNew: ctx.state.session.isNew,
      ...ctx.state.session.data,
    }))
    app.post('/login', (ctx) => {
      ctx.state.session.regenerate()
      ctx.state.session.data.user = 'ada'
      ctx.state.session.data.visits = 1
      return { id: ctx.state.session.id }
    })
    app.post('/logout', (ctx) => {
      ctx.state.session.destroy()
      return { ok: true }
    })
    apps.push(app)
    const { url } = await app.listen({ port: 0, signals: false })
    return { url: url.replace(/\/$/, ''), store, client }
  }

  beforeAll(async () => {
    redis = await startRedis()
    admin = new Redis(redis.url)
    a = await instance(60)
    b = await instance(60)
    brief = await instance(1)
  })

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()))
    for (const client of [...clients, admin]) client.disconnect()
    await redis.stop()
  })

  /** Logs in on `target` and returns the Cookie header to send back, and the session id. */
  async function login(target: Instance): Promise<{ cookie: string; id: string }> {
    const res = await fetch(`${target.url}/login`, { method: 'POST' })
    expect(res.status).toBe(200)
    const cookie = res.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ')
    const { id } = (await res.json()) as { id: string }
    return { cookie, id }
  }

  const me = async (target: Instance, cookie: string): Promise<Record<string, unknown>> => {
    const res = await fetch(`${target.url}/me`, { headers: { cookie } })
    expect(res.status).toBe(200)
    return (await res.json()) as Record<string, unknown>
  }

  it('reads on instance B the session created on instance A, stored as JSON with maxAge as its TTL', async () => {
    const { cookie, id } = await login(a)
    expect(await me(b, cookie)).toEqual({ id, isNew: false, user: 'ada', visits: 1 })
    expect(JSON.parse((await admin.get(`${PREFIX}${id}`)) ?? 'null')).toEqual({ user: 'ada', visits: 1 })
    const ttl = await admin.pttl(`${PREFIX}${id}`)
    expect(ttl).toBeGreaterThan(55_000)
    expect(ttl).toBeLessThanOrEqual(60_000)
  })

  it('forgets the session everywhere when it is destroyed on the other instance', async () => {
    const { cookie, id } = await login(a)
    const out = await fetch(`${b.url}/logout`, { method: 'POST', headers: { cookie } })
    expect(out.status).toBe(200)
    expect(out.headers.getSetCookie().some((line) => /^sid=;.*Max-Age=0/i.test(line))).toBe(true)
    expect(await admin.exists(`${PREFIX}${id}`)).toBe(0)
    expect(await me(a, cookie)).toMatchObject({ isNew: true })
  })

  it('lets Redis expire a session after maxAge (1 s)', async () => {
    const { cookie, id } = await login(brief)
    expect(await me(brief, cookie)).toMatchObject({ user: 'ada' })
    const deadline = Date.now() + 5000
    while ((await admin.exists(`${PREFIX}${id}`)) === 1) {
      if (Date.now() > deadline) throw new Error('the session key never expired')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(await me(brief, cookie)).toMatchObject({ isNew: true })
  })

  it('touch() extends a session without rewriting it, and answers false for an unknown id', async () => {
    const { id } = await login(brief)
    expect(await a.store.touch(id, 120)).toBe(true)
    expect(await admin.pttl(`${PREFIX}${id}`)).toBeGreaterThan(100_000)
    expect(JSON.parse((await admin.get(`${PREFIX}${id}`)) ?? 'null')).toEqual({ user: 'ada', visits: 1 })
    expect(await a.store.touch('no-such-id', 120)).toBe(false)
  })

  it('drops __proto__ and constructor.prototype keys of a stored entry and ignores entries that are not objects', async () => {
    const { cookie, id } = await login(a)
    await admin.set(
      `${PREFIX}${id}`,
      '{"user":"eve","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
      'PX',
      60_000,
    )
    const data = await a.store.get(id)
    expect(data).toEqual({ user: 'eve' })
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(await me(b, cookie)).toEqual({ id, isNew: false, user: 'eve' })
    for (const junk of ['not json', '[1,2]', '"text"', 'null']) {
      await admin.set(`${PREFIX}${id}`, junk, 'PX', 60_000)
      expect(await me(a, cookie)).toMatchObject({ isNew: true })
    }
  })

  it('answers 503 ERR_SERVICE_UNAVAILABLE for requests with a session once Redis is stopped; requests without one still get 200', async () => {
    const watch = watchProcessErrors()
    try {
      const { cookie } = await login(a)
      await redis.stop()
      await waitUntil(
        () => a.client.status !== 'ready' && b.client.status !== 'ready',
        5000,
        'the clients to notice',
      )
      for (const target of [a, b]) {
        const res = await fetch(`${target.url}/me`, { headers: { cookie } })
        expect(res.status).toBe(503)
        expect(res.headers.get('retry-after')).toBe('1')
        expect(await res.json()).toMatchObject({ status: 503, code: 'ERR_SERVICE_UNAVAILABLE' })
        expect((await fetch(`${target.url}/public`)).status).toBe(200)
      }
      const failed = lines.filter((l) => l.msg === 'request failed' && l.level === 50)
      expect(failed.length).toBeGreaterThanOrEqual(2)
      expect(JSON.stringify(failed[0]!.err)).toContain('redis')
      expect(watch.errors).toEqual([])
    } finally {
      watch.stop()
    }
  })
})
