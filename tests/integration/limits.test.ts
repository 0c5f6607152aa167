import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../src/index.js'
import { finalResponses, hasResponses, onlyResponse } from './helpers/http-parse.js'
import { rawRequest } from './helpers/raw-socket.js'
import { get, listen } from './helpers/server.js'

/** Splits bytes into pieces of `size`. */
function slices(text: string, size: number): string[] {
  const out: string[] = []
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size))
  return out
}

describe('request size limits over a real socket', () => {
  let app: App
  let port: number
  let okRuns = 0

  beforeAll(async () => {
    app = createApp({ logger: false })
    // App-level middleware sees every answer, the automatic ones included.
    app.use(async (ctx, next) => {
      ctx.header('x-seen-by', 'app-middleware')
      await next()
    })
    app.get('/health', () => ({ status: 'ok' }))
    app.get('/ok', () => {
      okRuns++
      return { ok: true }
    })
    app.post('/ok', () => ({ ok: true }))
    ;({ port } = await listen(app))
  })

  afterAll(() => app.close())

  const one = async (bytes: string | string[], timeoutMs = 3000) => {
    const result = await rawRequest(port, bytes, { until: hasResponses(1), timeoutMs })
    return onlyResponse(result.received)
  }

  describe('C12: long and many headers', () => {
    const bigHeader = get('/ok', { 'x-big': 'a'.repeat(10_000) })

    it('C12: a 10,000-byte header sent in one write answers 200', async () => {
      const res = await one(bigHeader)
      expect(res.status).toBe(200)
      expect(JSON.parse(res.body.toString())).toEqual({ ok: true })
    })

    it('C12: the same 10,000-byte header in 100-byte writes is closed by the uWS parser with no bytes and no route run (case and RFC-ideal: 200, as in one write)', async () => {
      // Measured: uWS parses a header block of any size that arrives in one read, but buffers at most
      // ~4 KB of a block split over several reads and then closes the socket without a response.
      const before = okRuns
      const result = await rawRequest(port, slices(bigHeader, 100), { timeoutMs: 5000 })
      expect(result.ended).toBe('closed')
      expect(result.received.length).toBe(0)
      expect(okRuns).toBe(before)
    })

    it("C12: a 4,000-byte header in 100-byte writes answers 200 (under the parser's split-read buffer)", async () => {
      const res = await one(slices(get('/ok', { 'x-big': 'a'.repeat(4000) }), 100), 5000)
      expect(res.status).toBe(200)
    })

    it('C12: a 20 KB Cookie answers 431 at once', async () => {
      const before = okRuns
      const res = await one(get('/ok', { cookie: `session=${'c'.repeat(20_000)}` }))
      expect(res.status).toBe(431)
      expect(JSON.parse(res.body.toString())).toMatchObject({ status: 431, code: 'ERR_HEADERS_TOO_LARGE' })
      expect(okRuns).toBe(before)
    })

    it('C12: a 9 KB URL answers 414 at once', async () => {
      const before = okRuns
      const res = await one(get(`/ok?q=${'u'.repeat(9 * 1024)}`))
      expect(res.status).toBe(414)
      expect(JSON.parse(res.body.toString())).toMatchObject({ status: 414, code: 'ERR_URI_TOO_LONG' })
      expect(okRuns).toBe(before)
    })

    it('C12: 150 small headers are dropped by the uWS parser unseen: no route runs, no 2xx (RFC-ideal: 431 at once)', async () => {
      const before = okRuns
      const headers = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`x-h${i}`, 'v']))
      // uWS's parser never delivers a request with more than ~47 header lines (UWS-NOTES): it idles until
      // its own timeout. Watch for 2 s: nothing may be routed and no success may come back.
      const result = await rawRequest(port, get('/ok', headers), { until: hasResponses(1), timeoutMs: 2000 })
      const answered = finalResponses(result.received, { closed: true })
      expect(answered.filter((r) => r.status < 300)).toEqual([])
      expect(okRuns).toBe(before)
    })
  })

  describe('limit answers pass through app-level middleware', () => {
    it.each([
      ['404', get('/nope'), 404],
      ['405', get('/ok', {}, 'DELETE'), 405],
      ['414', get(`/ok?q=${'u'.repeat(9 * 1024)}`), 414],
      ['431', get('/ok', { cookie: 'c'.repeat(20_000) }), 431],
      ['413', get('/ok', { 'content-length': String(2 * 1024 * 1024) }, 'POST'), 413],
    ])('carries the middleware header on a %s answer', async (_label, bytes, status) => {
      const res = await one(bytes)
      expect(res.status).toBe(status)
      expect(res.get('x-seen-by')).toBe('app-middleware')
    })
  })

  it('keeps serving GET /health afterwards', async () => {
    const res = await one(get('/health'))
    expect(res.status).toBe(200)
  })
})
