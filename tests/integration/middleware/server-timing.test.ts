import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, HttpError, recordTiming, serverTiming, startTiming } from '../../../src/index.js'
import { serve, type Served } from './undici-client.js'

describe('serverTiming()', () => {
  let served: Served

  beforeAll(async () => {
    const app = createApp({ logger: false })
    app.use(serverTiming({ enabled: (ctx) => ctx.headers['x-debug'] !== 'off' }))
    app.get('/users', async (ctx) => {
      const done = startTiming(ctx, 'db', 'users "query"')
      await sleep(20)
      done()
      recordTiming(ctx, 'cache-miss')
      return []
    })
    app.get('/fail', () => {
      throw new HttpError(400, 'bad')
    })
    served = await serve(app)
  })
  afterAll(() => served.close())

  it('lists recorded metrics and the total duration', async () => {
    const res = await served.call('/users')
    const header = res.headers['server-timing'] as string
    expect(header).toMatch(/^db;dur=\d+\.\d;desc="users \\"query\\"", cache-miss, total;dur=\d+\.\d$/)
  })

  it('sends the header on error responses too', async () => {
    const res = await served.call('/fail')
    expect(res.status).toBe(400)
    expect(res.headers['server-timing']).toMatch(/^total;dur=/)
  })

  it('sends nothing when disabled for the request', async () => {
    const res = await served.call('/users', { headers: { 'x-debug': 'off' } })
    expect(res.headers['server-timing']).toBeUndefined()
  })
})
