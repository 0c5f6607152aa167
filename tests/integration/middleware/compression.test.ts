import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compression, createApp } from '../../../src/index.js'
import { serve, type Served } from './undici-client.js'

const ITEMS = Array.from({ length: 200 }, (_, i) => ({ id: i, name: `item ${i}` }))
const JSON_TEXT = JSON.stringify(ITEMS)

describe('compression()', () => {
  let served: Served

  beforeAll(async () => {
    const app = createApp({ logger: false })
    app.use(compression({ threshold: 1024 }))
    app.get('/items', () => ITEMS)
    app.get('/small', () => ({ ok: true }))
    app.get('/events', (ctx) =>
      ctx.header('content-type', 'text/event-stream').text('data: x\n\n'.repeat(500)),
    )
    app.get('/encoded', (ctx) => ctx.header('content-encoding', 'gzip').send(new Uint8Array(4000)))
    app.get('/png', (ctx) => ctx.header('content-type', 'image/png').send(new Uint8Array(4000)))
    app.get('/no-transform', (ctx) => ctx.header('cache-control', 'no-transform').json(ITEMS))
    app.get('/empty', (ctx) => ctx.status(204))
    served = await serve(app)
  })
  afterAll(() => served.close())

  it('sends brotli when the client accepts it, with Vary: Accept-Encoding', async () => {
    const res = await served.call('/items', { headers: { 'accept-encoding': 'gzip, deflate, br' } })
    expect(res.headers['content-encoding']).toBe('br')
    expect(res.headers.vary).toBe('Accept-Encoding')
    expect(Number(res.headers['content-length'])).toBe(res.body.length)
    expect(res.body.length).toBeLessThan(JSON_TEXT.length)
    expect(brotliDecompressSync(res.body).toString()).toBe(JSON_TEXT)
  })

  it('follows the client q-values: gzip when br is weighed lower', async () => {
    const res = await served.call('/items', { headers: { 'accept-encoding': 'br;q=0.5, gzip' } })
    expect(res.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(res.body).toString()).toBe(JSON_TEXT)
  })

  it('sends identity, still with Vary, when the client accepts no encoding', async () => {
    for (const accept of [undefined, 'identity', 'deflate']) {
      const res = await served.call('/items', { headers: accept ? { 'accept-encoding': accept } : {} })
      expect(res.headers['content-encoding']).toBeUndefined()
      expect(res.headers.vary).toBe('Accept-Encoding')
      expect(res.text).toBe(JSON_TEXT)
    }
  })

  it('leaves bodies under the threshold alone', async () => {
    const res = await served.call('/small', { headers: { 'accept-encoding': 'gzip' } })
    expect(res.headers['content-encoding']).toBeUndefined()
    expect(res.text).toBe('{"ok":true}')
  })

  it('skips event streams, encoded bodies, images and no-transform responses', async () => {
    const headers = { 'accept-encoding': 'gzip, br' }
    const events = await served.call('/events', { headers })
    expect(events.headers['content-encoding']).toBeUndefined()
    const encoded = await served.call('/encoded', { headers })
    expect(encoded.headers['content-encoding']).toBe('gzip')
    expect(encoded.body.length).toBe(4000)
    const png = await served.call('/png', { headers })
    expect(png.headers['content-encoding']).toBeUndefined()
    const noTransform = await served.call('/no-transform', { headers })
    expect(noTransform.headers['content-encoding']).toBeUndefined()
  })

  it('never compresses HEAD or 204 answers', async () => {
    const head = await served.call('/items', { method: 'HEAD', headers: { 'accept-encoding': 'gzip' } })
    expect(head.status).toBe(200)
    expect(head.headers['content-encoding']).toBeUndefined()
    expect(head.headers['content-length']).toBe(String(JSON_TEXT.length))
    const empty = await served.call('/empty', { headers: { 'accept-encoding': 'gzip' } })
    expect(empty.status).toBe(204)
    expect(empty.headers['content-encoding']).toBeUndefined()
  })
})
