import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { request } from 'undici'
import { bodyLimit, createApp } from '../../../src/index.js'
import { serve, type Served } from './undici-client.js'

describe('bodyLimit()', () => {
  let served: Served

  beforeAll(async () => {
    const app = createApp({ logger: false, limits: { body: 1024 } })
    app.post('/small', bodyLimit(16), async (ctx) => ({ got: (await ctx.req.text()).length }))
    app.post('/big', bodyLimit('1mb'), async (ctx) => ({ got: (await ctx.req.text()).length }))
    app.post('/open', async (ctx) => ({ got: (await ctx.req.text()).length }))
    served = await serve(app)
  })
  afterAll(() => served.close())

  it('accepts a body within the route limit', async () => {
    const res = await served.call('/small', { method: 'POST', body: 'x'.repeat(16) })
    expect(res.status).toBe(200)
    expect(JSON.parse(res.text)).toEqual({ got: 16 })
  })

  it('answers 413 for a declared Content-Length above the route limit', async () => {
    const res = await served.call('/small', { method: 'POST', body: 'x'.repeat(17) })
    expect(res.status).toBe(413)
    expect(JSON.parse(res.text)).toMatchObject({ code: 'ERR_BODY_TOO_LARGE' })
  })

  it('answers 413 for a chunked body once more than the route limit arrived', async () => {
    async function* chunks(): AsyncGenerator<string> {
      for (let i = 0; i < 4; i++) yield 'x'.repeat(10)
    }
    const res = await request(new URL('/small', served.url), {
      method: 'POST',
      body: Readable.from(chunks()),
    })
    expect(res.statusCode).toBe(413)
    expect(res.headers['content-length']).toBeDefined()
    await res.body.dump()
  })

  it('leaves other routes at the app limit', async () => {
    const res = await served.call('/open', { method: 'POST', body: 'x'.repeat(500) })
    expect(JSON.parse(res.text)).toEqual({ got: 500 })
  })

  it('raises the limit above the app-wide one for its route only', async () => {
    const res = await served.call('/big', { method: 'POST', body: 'x'.repeat(2000) })
    expect(res.status).toBe(200)
    expect(JSON.parse(res.text)).toEqual({ got: 2000 })
    const other = await served.call('/open', { method: 'POST', body: 'x'.repeat(2000) })
    expect(other.status).toBe(413)
  })
})
