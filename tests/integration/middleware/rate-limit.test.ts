import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, rateLimit } from '../../../src/index.js'
import { serve, type Served } from './undici-client.js'

describe('rateLimit()', () => {
  let served: Served

  beforeAll(async () => {
    const app = createApp({ logger: false })
    app.use(rateLimit({ limit: 2, windowMs: 60_000, key: (ctx) => ctx.headers['x-api-key'] ?? ctx.req.ip }))
    app.get('/', () => 'ok')
    served = await serve(app)
  })
  afterAll(() => served.close())

  it('counts down RateLimit-Remaining and answers 429 with Retry-After when the bucket is empty', async () => {
    const headers = { 'x-api-key': 'key-a' }
    const first = await served.call('/', { headers })
    const second = await served.call('/', { headers })
    const third = await served.call('/', { headers })
    expect([first.status, second.status, third.status]).toEqual([200, 200, 429])
    expect(first.headers['ratelimit-limit']).toBe('2')
    expect(first.headers['ratelimit-policy']).toBe('2;w=60')
    expect([first.headers['ratelimit-remaining'], second.headers['ratelimit-remaining']]).toEqual(['1', '0'])
    // One token comes back every 30 s (2 per 60 s); the bucket is full again after 60 s.
    expect(third.headers['retry-after']).toBe('30')
    expect(third.headers['ratelimit-reset']).toBe('60')
    expect(JSON.parse(third.text)).toMatchObject({ status: 429, code: 'ERR_TOO_MANY_REQUESTS' })
  })

  it('keeps a separate bucket per key', async () => {
    for (let i = 0; i < 3; i++) await served.call('/', { headers: { 'x-api-key': 'key-b' } })
    const other = await served.call('/', { headers: { 'x-api-key': 'key-c' } })
    expect(other.status).toBe(200)
    expect(other.headers['ratelimit-remaining']).toBe('1')
  })

  it('falls back to the client address as key', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 3; i++) statuses.push((await served.call('/')).status)
    expect(statuses).toEqual([200, 200, 429])
  })

  it('exempts requests whose key is undefined', async () => {
    const app = createApp({ logger: false })
    app.use(rateLimit({ limit: 1, key: (ctx) => (ctx.path === '/health' ? undefined : 'all') }))
    app.get('/health', () => 'up')
    const other = await serve(app)
    try {
      const statuses: number[] = []
      for (let i = 0; i < 3; i++) statuses.push((await other.call('/health')).status)
      expect(statuses).toEqual([200, 200, 200])
    } finally {
      await other.close()
    }
  })
})
