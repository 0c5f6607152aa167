import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  compression,
  cors,
  createApp,
  etag,
  rateLimit,
  requestId,
  securityHeaders,
  serverTiming,
} from '../../../src/index.js'
import { serve, type Served } from './undici-client.js'

const ORIGIN = 'https://app.example.com'
const ROWS = Array.from({ length: 100 }, (_, i) => ({ row: i, label: `row ${i}` }))

describe.each(['uws', 'node'] as const)('the built-in stack on the %s core', (core) => {
  let served: Served

  beforeAll(async () => {
    const app = createApp({ logger: false })
    app.use(
      requestId(),
      serverTiming(),
      securityHeaders(),
      cors({ origin: [ORIGIN] }),
      rateLimit({ limit: 1000 }),
      compression(),
      etag(),
    )
    app.get('/rows', () => ROWS)
    served = await serve(app, core)
  })
  afterAll(() => served.close())

  it('answers with every layer applied: id, timing, security, CORS, rate limit, gzip, ETag', async () => {
    const res = await served.call('/rows', {
      headers: { origin: ORIGIN, 'accept-encoding': 'gzip', 'x-request-id': 'stack-1' },
    })
    expect(res.status).toBe(200)
    expect(res.headers['x-request-id']).toBe('stack-1')
    expect(res.headers['server-timing']).toMatch(/^total;dur=/)
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN)
    expect(res.headers.vary).toBe('Origin, Accept-Encoding')
    expect(res.headers['ratelimit-remaining']).toBe('999')
    expect(res.headers['content-encoding']).toBe('gzip')
    expect(JSON.parse(gunzipSync(res.body).toString())).toEqual(ROWS)
    const again = await served.call('/rows', {
      headers: { 'accept-encoding': 'gzip', 'if-none-match': res.headers.etag as string },
    })
    expect(again.status).toBe(304)
    expect(again.body.length).toBe(0)
  })

  it('answers a CORS preflight before the automatic OPTIONS answer', async () => {
    const res = await served.call('/rows', {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'GET' },
    })
    expect(res.status).toBe(204)
    expect(res.headers['access-control-allow-methods']).toContain('GET')
    expect(res.headers.allow).toBeUndefined()
  })
})
