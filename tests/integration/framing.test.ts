import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../src/index.js'
import { finalResponses, hasResponses, onlyResponse, parseResponses } from './helpers/http-parse.js'
import { RawConnection, pause, rawRequest } from './helpers/raw-socket.js'
import { get, listen } from './helpers/server.js'

const DOC = { title: 'framing', items: [1, 2, 3], note: 'héllo' }
const BIG = Buffer.alloc(5 * 1024 * 1024)
for (let i = 0; i < BIG.length; i++) BIG[i] = (i * 31 + (i >> 13)) & 0xff
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

describe('response framing over a real socket', () => {
  let app: App
  let port: number
  let base: string

  beforeAll(async () => {
    app = createApp({ logger: false })
    app.get('/health', () => ({ status: 'ok' }))
    app.get('/doc', async () => {
      await pause(1)
      return DOC
    })
    app.delete('/things/:id', () => undefined)
    app.get('/big', () => BIG)
    app.get('/inject', (ctx) => {
      ctx.header('x-note', 'a\r\nSet-Cookie: injected=1')
      return { ok: true }
    })
    app.get('/inject-name', (ctx) => {
      ctx.header('x-bad\r\nSet-Cookie', 'injected=1')
      return { ok: true }
    })
    app.get('/inject-direct', (ctx) => {
      // Middleware may adjust ctx.res.headers directly on the way out; the core must still refuse CR/LF.
      ctx.res.headers.set('x-note', 'a\r\nSet-Cookie: injected=1')
      return { ok: true }
    })
    ;({ port, url: base } = await listen(app))
  })

  afterAll(() => app.close())

  it('answers HEAD on a GET route with the GET headers, its Content-Length and zero body bytes', async () => {
    const conn = await RawConnection.open(port)
    try {
      await conn.write(get('/doc', {}, 'HEAD'))
      expect(await conn.waitFor(hasResponses(1, { headResponses: [0] }), 3000)).toBe(true)
      // Not pipelined: async handlers and uWS pipelining do not mix (UWS-NOTES, upstream #1301).
      await conn.write(get('/doc'))
      expect(await conn.waitFor(hasResponses(2, { headResponses: [0] }), 3000)).toBe(true)
      const { responses, rest } = parseResponses(conn.received, { headResponses: [0] })
      expect(rest.length).toBe(0)
      const [head, full] = responses
      expect(head?.status).toBe(200)
      expect(full?.status).toBe(200)
      expect(full?.body.toString()).toBe(JSON.stringify(DOC))
      expect(head?.get('content-length')).toBe(String(full?.body.length))
      expect(head?.getAll('content-length')).toHaveLength(1)
      expect(head?.get('content-type')).toBe(full?.get('content-type'))
      expect(conn.closed).toBe(false)
    } finally {
      conn.destroy()
    }
  })

  it('sends 204 with no Content-Length and no body, and keeps the connection framed', async () => {
    const conn = await RawConnection.open(port)
    try {
      await conn.write(get('/things/1', {}, 'DELETE'))
      expect(await conn.waitFor(hasResponses(1), 3000)).toBe(true)
      await conn.write(get('/health'))
      expect(await conn.waitFor(hasResponses(2), 3000)).toBe(true)
      const { responses, rest } = parseResponses(conn.received)
      expect(rest.length).toBe(0)
      const [noContent, health] = responses
      expect(noContent?.status).toBe(204)
      expect(noContent?.get('content-length')).toBeUndefined()
      expect(noContent?.get('transfer-encoding')).toBeUndefined()
      expect(health?.status).toBe(200)
      expect(JSON.parse(health?.body.toString() ?? '')).toEqual({ status: 'ok' })
    } finally {
      conn.destroy()
    }
  })

  it('delivers a 5 MB Buffer whole to fetch (hash matches)', async () => {
    const res = await fetch(`${base}/big`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/octet-stream')
    expect(res.headers.get('content-length')).toBe(String(BIG.length))
    const body = new Uint8Array(await res.arrayBuffer())
    expect(body.byteLength).toBe(BIG.length)
    expect(sha256(body)).toBe(sha256(BIG))
  })

  it('delivers a 5 MB Buffer whole to a reader that pauses (backpressure), then serves the next request', async () => {
    const conn = await RawConnection.open(port)
    try {
      conn.socket.pause()
      await conn.write(get('/big'))
      await pause(300) // the server's socket buffer fills; the rest must wait for onWritable
      conn.socket.resume()
      expect(await conn.waitFor(hasResponses(1), 10_000)).toBe(true)
      await conn.write(get('/health'))
      expect(await conn.waitFor(hasResponses(2), 3000)).toBe(true)
      const [big, health] = finalResponses(conn.received)
      expect(big?.body.length).toBe(BIG.length)
      expect(sha256(big?.body ?? Buffer.alloc(0))).toBe(sha256(BIG))
      expect(health?.status).toBe(200)
    } finally {
      conn.destroy()
    }
  })

  it.each(['/inject', '/inject-name', '/inject-direct'])(
    'answers 500 and writes no injected header when a handler puts CR/LF in a header (%s)',
    async (target) => {
      const result = await rawRequest(port, get(target), { until: hasResponses(1) })
      const res = onlyResponse(result.received)
      expect(res.status).toBe(500)
      expect(result.text.toLowerCase()).not.toContain('injected')
      expect(res.get('set-cookie')).toBeUndefined()
      expect(JSON.parse(res.body.toString())).toMatchObject({ status: 500 })
    },
  )

  it('answers pipelined requests in order when their handlers finish without waiting', async () => {
    const result = await rawRequest(port, get('/health').repeat(3), { until: hasResponses(3) })
    const { responses, rest } = parseResponses(result.received)
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200])
    expect(rest.length).toBe(0)
  })

  it('closes a connection with no bytes when a request is pipelined behind an awaiting handler (uWS #1301; RFC-ideal: both answered in order)', async () => {
    const result = await rawRequest(port, get('/doc') + get('/health'), { until: hasResponses(2) })
    expect(result.ended).toBe('closed')
    expect(result.received.length).toBe(0)
  })

  it('keeps serving GET /health afterwards', async () => {
    expect((await fetch(`${base}/health`)).status).toBe(200)
  })
})
