import { brotliDecompressSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compression, createApp, etag } from '../../../src/index.js'
import { serve, type Served } from './undici-client.js'

const USER = { id: 7, name: 'Ada', bio: 'x'.repeat(2000) }

describe('etag()', () => {
  let served: Served
  let posts = 0

  beforeAll(async () => {
    const app = createApp({ logger: false })
    app.use(compression())
    app.use(etag())
    app.get('/user', (ctx) => ctx.header('cache-control', 'max-age=0, must-revalidate').json(USER))
    app.get('/tagged', (ctx) => ctx.header('etag', '"v42"').text('versioned'))
    app.get('/dated', (ctx) => ctx.header('last-modified', 'Tue, 01 Sep 2026 10:00:00 GMT').text('old news'))
    app.post('/user', () => ({ posts: ++posts }))
    served = await serve(app)
  })
  afterAll(() => served.close())

  it('sends a strong ETag and answers 304 without a body when If-None-Match matches', async () => {
    const first = await served.call('/user')
    const tag = first.headers.etag as string
    expect(tag).toMatch(/^"[0-9a-f]+-[\w-]{27}"$/)
    const again = await served.call('/user', { headers: { 'if-none-match': tag } })
    expect(again.status).toBe(304)
    expect(again.body.length).toBe(0)
    expect(again.headers.etag).toBe(tag)
    expect(again.headers['cache-control']).toBe('max-age=0, must-revalidate')
    expect(again.headers['content-type']).toBeUndefined()
  })

  it('answers 200 with the body when the tag differs', async () => {
    const res = await served.call('/user', { headers: { 'if-none-match': '"other", "tags"' } })
    expect(res.status).toBe(200)
    expect(JSON.parse(res.text)).toEqual(USER)
  })

  it('weakens the tag of a compressed response and still answers 304 for it', async () => {
    const res = await served.call('/user', { headers: { 'accept-encoding': 'br' } })
    expect(res.headers['content-encoding']).toBe('br')
    expect(JSON.parse(brotliDecompressSync(res.body).toString())).toEqual(USER)
    const weak = res.headers.etag as string
    expect(weak.startsWith('W/"')).toBe(true)
    const again = await served.call('/user', { headers: { 'accept-encoding': 'br', 'if-none-match': weak } })
    expect(again.status).toBe(304)
    expect(again.headers['content-encoding']).toBeUndefined()
    expect(again.body.length).toBe(0)
  })

  it('keeps a handler ETag and matches * and lists', async () => {
    const res = await served.call('/tagged', { headers: { 'if-none-match': '"a", W/"v42"' } })
    expect(res.status).toBe(304)
    expect(res.headers.etag).toBe('"v42"')
    const star = await served.call('/tagged', { headers: { 'if-none-match': '*' } })
    expect(star.status).toBe(304)
  })

  it('honours If-Modified-Since against Last-Modified', async () => {
    const same = await served.call('/dated', {
      headers: { 'if-modified-since': 'Tue, 01 Sep 2026 10:00:00 GMT' },
    })
    expect(same.status).toBe(304)
    const older = await served.call('/dated', {
      headers: { 'if-modified-since': 'Mon, 31 Aug 2026 10:00:00 GMT' },
    })
    expect(older.status).toBe(200)
  })

  it('leaves unsafe methods alone', async () => {
    const res = await served.call('/user', { method: 'POST', headers: { 'if-none-match': '*' } })
    expect(res.status).toBe(200)
    expect(res.headers.etag).toBeUndefined()
  })
})
