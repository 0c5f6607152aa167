/**
 * RedisRateLimitStore against a real redis-server: two app instances (each with its own ioredis client, as two
 * processes would have) share one limit exactly; buckets refill and expire; the script survives SCRIPT FLUSH;
 * a slow or stopped Redis fails open (logged) or closed (503) as configured, and the process keeps answering.
 */
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createApp, rateLimit, RedisRateLimitStore, type App } from '../../../src/index.js'
import type { RedisRateLimitStoreOptions } from '../../../src/index.js'
import { startRedis, type RedisServer } from '../helpers/redis.js'
import { captureLogs, waitUntil, watchProcessErrors, type LogLine } from '../helpers/server.js'

interface Instance {
  url: string
  store: RedisRateLimitStore
  client: Redis
}

interface Pair {
  a: Instance
  b: Instance
  lines: LogLine[]
}

const PREFIX = 'test:rl:'

describe('RedisRateLimitStore', () => {
  let redis: RedisServer
  let admin: Redis
  const apps: App[] = []
  const clients: Redis[] = []

  beforeAll(async () => {
    redis = await startRedis()
    admin = new Redis(redis.url)
  })

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()))
    for (const client of clients.splice(0)) client.disconnect()
  })

  afterAll(async () => {
    admin.disconnect()
    await redis.stop()
  })

  /** One app instance with its own client, keyed on `x-api-key`. */
  async function instance(
    limit: number,
    windowMs: number,
    options: RedisRateLimitStoreOptions,
    logger: ReturnType<typeof captureLogs>['logger'],
  ): Promise<Instance> {
    const client = new Redis(redis.url)
    client.on('error', () => {}) // connection errors are expected once the server is stopped
    clients.push(client)
    const store = new RedisRateLimitStore(client, { prefix: PREFIX, logger, ...options })
    const app = createApp({ logger })
    app.use(rateLimit({ limit, windowMs, store, key: (ctx) => ctx.headers['x-api-key'] }))
    app.get('/', () => ({ ok: true }))
    apps.push(app)
    const { url } = await app.listen({ port: 0, signals: false })
    return { url, store, client }
  }

  async function pair(
    limit: number,
    windowMs: number,
    options: RedisRateLimitStoreOptions = {},
  ): Promise<Pair> {
    const { logger, lines } = captureLogs()
    const a = await instance(limit, windowMs, options, logger)
    const b = await instance(limit, windowMs, options, logger)
    return { a, b, lines }
  }

  const call = (target: Instance, key: string): Promise<Response> =>
    fetch(target.url, { headers: { 'x-api-key': key } })

  it('gives two instances one combined limit: the 6th request of 5 alternating across them is 429 with the RateLimit headers', async () => {
    const { a, b } = await pair(5, 60_000)
    const responses: Response[] = []
    for (let i = 0; i < 6; i++) responses.push(await call(i % 2 === 0 ? a : b, 'shared'))
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429])
    expect(responses.map((r) => r.headers.get('ratelimit-remaining'))).toEqual(['4', '3', '2', '1', '0', '0'])
    const last = responses[5]!
    expect(last.headers.get('ratelimit-limit')).toBe('5')
    expect(last.headers.get('ratelimit-policy')).toBe('5;w=60')
    expect(last.headers.get('retry-after')).toBe('12') // one token per 60 s / 5
    expect(Number(last.headers.get('ratelimit-reset'))).toBeGreaterThan(55)
    expect(await last.json()).toMatchObject({ status: 429, code: 'ERR_TOO_MANY_REQUESTS' })
    // The bucket expires when it would be full again: within the window, never without a TTL.
    const ttl = await admin.pttl(`${PREFIX}shared`)
    expect(ttl).toBeGreaterThan(50_000)
    expect(ttl).toBeLessThanOrEqual(60_000)
  })

  it('takes tokens atomically: 60 concurrent requests over both instances with limit 20 let exactly 20 through', async () => {
    const { a, b } = await pair(20, 60_000)
    const statuses = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => (await call(i % 2 === 0 ? a : b, 'burst')).status),
    )
    expect(statuses.filter((s) => s === 200)).toHaveLength(20)
    expect(statuses.filter((s) => s === 429)).toHaveLength(40)
  })

  it('refills the shared bucket over time and lets the key expire once it is full again', async () => {
    const { a, b } = await pair(2, 400) // one token per 200 ms
    const first = [await call(a, 'refill'), await call(b, 'refill'), await call(a, 'refill')]
    expect(first.map((r) => r.status)).toEqual([200, 200, 429])
    await new Promise((resolve) => setTimeout(resolve, 450))
    expect((await call(b, 'refill')).status).toBe(200)
    const deadline = Date.now() + 5000
    while ((await admin.exists(`${PREFIX}refill`)) === 1) {
      if (Date.now() > deadline) throw new Error('the bucket key never expired')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  })

  it('reset(key) empties the bucket for every instance', async () => {
    const { a, b } = await pair(1, 60_000)
    expect((await call(a, 'login')).status).toBe(200)
    expect((await call(b, 'login')).status).toBe(429)
    await a.store.reset('login')
    expect((await call(b, 'login')).status).toBe(200)
  })

  it('keeps counting after SCRIPT FLUSH (EVALSHA falls back to EVAL)', async () => {
    const { a, b } = await pair(3, 60_000)
    expect((await call(a, 'flush')).headers.get('ratelimit-remaining')).toBe('2')
    await admin.script('FLUSH')
    const after = await call(b, 'flush')
    expect(after.status).toBe(200)
    expect(after.headers.get('ratelimit-remaining')).toBe('1')
  })

  it('stores a long client-chosen key by its SHA-256, not verbatim', async () => {
    const { a } = await pair(5, 60_000)
    const long = 'k'.repeat(4000)
    expect((await call(a, long)).status).toBe(200)
    const keys = await admin.keys(`${PREFIX}sha256:*`)
    expect(keys).toHaveLength(1)
    expect(keys[0]!.length).toBeLessThan(100)
    expect(await admin.exists(`${PREFIX}${long}`)).toBe(0)
  })

  it('fails open when Redis answers later than timeoutMs: 200, one warn line per outage, an info line when it answers again', async () => {
    const { a, lines } = await pair(5, 60_000, { timeoutMs: 200 })
    expect((await call(a, 'slow')).status).toBe(200) // connects and loads the script
    await admin.call('CLIENT', 'PAUSE', '1500', 'ALL')
    const started = Date.now()
    const during = [await call(a, 'slow'), await call(a, 'slow')]
    expect(during.map((r) => r.status)).toEqual([200, 200])
    expect(Date.now() - started).toBeLessThan(1400) // answered on the timeout, not after the pause
    const warns = lines.filter((l) => l.msg.startsWith('rate limit: redis unavailable'))
    expect(warns).toHaveLength(1)
    expect(warns[0]).toMatchObject({ level: 40, failOpen: true })
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1700 - (Date.now() - started))))
    expect((await call(a, 'slow')).status).toBe(200)
    expect(lines.find((l) => l.msg === 'rate limit: redis answers again')).toMatchObject({
      level: 30,
      requests: 2,
    })
  })

  it('with Redis stopped, fails open by default and closed (503) when asked; the process keeps answering', async () => {
    const watch = watchProcessErrors()
    try {
      const open = await pair(2, 60_000)
      const closed = await pair(2, 60_000, { onUnavailable: 'deny' })
      expect((await call(open.a, 'down')).status).toBe(200)
      expect((await call(closed.a, 'down2')).status).toBe(200)
      await redis.stop()
      await waitUntil(() => open.a.client.status !== 'ready', 5000, 'the client to notice the stop')
      // Beyond the limit of 2: nothing is counted while Redis is away.
      const openStatuses: number[] = []
      for (let i = 0; i < 4; i++)
        openStatuses.push((await call(i % 2 === 0 ? open.a : open.b, 'down')).status)
      expect(openStatuses).toEqual([200, 200, 200, 200])
      expect(open.lines.filter((l) => l.msg.startsWith('rate limit: redis unavailable'))).toHaveLength(2) // once per instance

      const refused = await call(closed.b, 'down2')
      expect(refused.status).toBe(503)
      expect(refused.headers.get('retry-after')).toBe('1')
      expect(await refused.json()).toMatchObject({ status: 503, code: 'ERR_SERVICE_UNAVAILABLE' })
      expect(closed.lines.some((l) => l.msg === 'request failed' && l.level === 50)).toBe(true)
      expect((await call(closed.a, 'down2')).status).toBe(503) // still up, still answering
      expect(watch.errors).toEqual([])
    } finally {
      watch.stop()
    }
  })
})
