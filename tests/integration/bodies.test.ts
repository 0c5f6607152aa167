import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createApp, ERR, HttpError, type App } from '../../src/index.js'
import { hasResponses, onlyResponse } from './helpers/http-parse.js'
import { RawConnection, rawRequest } from './helpers/raw-socket.js'
import { listen, waitUntil } from './helpers/server.js'

const KiB = 1024
const MiB = 1024 * KiB
const ItemInput = z.object({ name: z.string() })

/** A POST head for raw sockets. */
function post(path: string, headers: Record<string, string | number>): string {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`)
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${lines.join('')}\r\n`
}

/** One chunk of a chunked body. */
function chunk(bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')])
}

describe('request bodies over a real socket', () => {
  let app: App
  let port: number
  let base: string
  let uploads = 0

  beforeAll(async () => {
    app = createApp({ logger: false })
    app.get('/health', () => ({ status: 'ok' }))
    app.post('/items', async (ctx) => {
      const parsed = ItemInput.safeParse(await ctx.req.json())
      if (!parsed.success) {
        throw new HttpError(422, 'invalid item', { code: ERR.VALIDATION, details: parsed.error.issues })
      }
      ctx.status(201)
      return { id: 1, name: parsed.data.name }
    })
    app.delete('/items/:id', () => undefined)
    app.post('/upload', async (ctx) => {
      uploads++
      return (await ctx.req.bytes()).length.toString()
    })
    app.post('/profile', async (ctx) => {
      const body = ItemInput.parse(await ctx.req.json())
      const profile = Object.assign({ isAdmin: false }, body) as { name: string; isAdmin: boolean }
      return { name: profile.name, isAdmin: profile.isAdmin }
    })
    ;({ port, url: base } = await listen(app))
  })

  afterAll(() => app.close())

  const postJson = (path: string, body: string): Promise<Response> =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })

  describe('C05: empty or malformed JSON', () => {
    it('C05: answers 201 for a valid item', async () => {
      const res = await postJson('/items', '{"name":"a"}')
      expect(res.status).toBe(201)
      expect(await res.json()).toEqual({ id: 1, name: 'a' })
    })

    it.each([
      ['an empty body', ''],
      ['a trailing comma', '{"name":"a",}'],
      ['truncated JSON', '{"name":'],
    ])('C05: answers 400 invalid JSON for %s, never a silent {} or 500', async (_label, body) => {
      const res = await postJson('/items', body)
      expect(res.status).toBe(400)
      expect(await res.json()).toMatchObject({ status: 400, code: 'ERR_INVALID_JSON' })
    })

    it.each([
      ['null', 'null'],
      ['a string', '"s"'],
      ['an array', '[]'],
      ['a number name', '{"name":1}'],
    ])(
      'C05: answers 422 listing the problem for valid JSON failing the schema (%s)',
      async (_label, body) => {
        const res = await postJson('/items', body)
        expect(res.status).toBe(422)
        const json = (await res.json()) as {
          code: string
          details: Array<{ path: unknown[]; message: string }>
        }
        expect(json.code).toBe('ERR_VALIDATION')
        expect(json.details.length).toBeGreaterThan(0)
        expect(json.details[0]?.message).toEqual(expect.any(String))
      },
    )

    it('C05: DELETE /items/1 with a JSON content type and no body answers 204', async () => {
      const res = await fetch(`${base}/items/1`, {
        method: 'DELETE',
        headers: { 'content-type': 'application/json' },
      })
      expect(res.status).toBe(204)
      expect(await res.text()).toBe('')
    })

    it('C05: DELETE /items/1 with a JSON content type and Content-Length: 0 (raw) answers 204', async () => {
      const head = `DELETE /items/1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 0\r\n\r\n`
      const result = await rawRequest(port, head, { until: hasResponses(1) })
      expect(onlyResponse(result.received).status).toBe(204)
    })
  })

  describe('C04: prototype poisoning', () => {
    it.each([
      '{"name":"x","__proto__":{"isAdmin":true}}',
      '{"name":"x","constructor":{"prototype":{"isAdmin":true}}}',
    ])('C04: refuses %s with 400 and never grants isAdmin', async (body) => {
      const res = await postJson('/profile', body)
      expect(res.status).toBe(400)
      const next = await postJson('/profile', '{"name":"y"}')
      expect(await next.json()).toEqual({ name: 'y', isAdmin: false })
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined()
    })
  })

  describe('C06: body-size limit (1 MiB)', () => {
    it('C06: a chunked upload of 512 KiB answers 200 with 524288', async () => {
      const piece = Buffer.alloc(64 * KiB, 'a')
      const chunks = [post('/upload', { 'transfer-encoding': 'chunked' })]
      const body = Array.from({ length: 8 }, () => chunk(piece))
      const result = await rawRequest(port, [...chunks, ...body, '0\r\n\r\n'], {
        until: hasResponses(1),
        timeoutMs: 5000,
      })
      const res = onlyResponse(result.received)
      expect(res.status).toBe(200)
      expect(res.body.toString()).toBe('524288')
    })

    it('C06: a body of exactly 1 MiB is accepted and one byte more is refused with 413', async () => {
      const exact = await fetch(`${base}/upload`, { method: 'POST', body: Buffer.alloc(MiB, 'e') })
      expect(exact.status).toBe(200)
      expect(await exact.text()).toBe(String(MiB))
      const over = await fetch(`${base}/upload`, { method: 'POST', body: Buffer.alloc(MiB + 1, 'e') }).catch(
        (err: Error) => err,
      )
      // The 413 may arrive while fetch is still sending; either way no 2xx is ever seen.
      if (over instanceof Response) expect(over.status).toBe(413)
      else expect(over).toBeInstanceOf(Error)
    })

    it('C06: a chunked upload of 2 MiB answers 413 once the limit is passed, then closes', async () => {
      const conn = await RawConnection.open(port)
      try {
        await conn.write(post('/upload', { 'transfer-encoding': 'chunked' }))
        const piece = chunk(Buffer.alloc(16 * KiB, 'b'))
        const written = await conn.writeBody(2 * MiB, 16 * KiB, () => piece)
        expect(await conn.waitForClose(5000)).toBe(true)
        const res = onlyResponse(conn.received)
        expect(res.status).toBe(413)
        expect(JSON.parse(res.body.toString())).toMatchObject({ code: 'ERR_BODY_TOO_LARGE' })
        // The answer came while the client was still sending: the server did not wait for 2 MiB.
        expect(written).toBeLessThan(2 * MiB)
      } finally {
        conn.destroy()
      }
    })

    it('C06: Content-Length: 2097152 answers 413 before any body byte is sent, then closes', async () => {
      const conn = await RawConnection.open(port)
      try {
        await conn.write(
          post('/upload', { 'content-length': 2 * MiB, 'content-type': 'application/octet-stream' }),
        )
        expect(await conn.waitFor(hasResponses(1), 3000)).toBe(true)
        const res = onlyResponse(conn.received)
        expect(res.status).toBe(413)
        expect(JSON.parse(res.body.toString())).toMatchObject({ status: 413, code: 'ERR_BODY_TOO_LARGE' })
        expect(await conn.waitForClose(3000)).toBe(true)
      } finally {
        conn.destroy()
      }
    })

    it.each(['abc', '-1', '1, 2', '+5', '99999999999999999999999'])(
      'C06: Content-Length: %s closes the socket with no bytes and runs no handler (RFC-ideal: 400 then close)',
      async (value) => {
        const before = uploads
        const result = await rawRequest(port, post('/upload', { 'content-length': value }) + 'hello', {
          timeoutMs: 3000,
        })
        expect(result.ended).toBe('closed')
        expect(result.received.length).toBe(0)
        expect(uploads).toBe(before)
      },
    )

    it('C06: two differing Content-Length headers answer 400 and close, and run no handler', async () => {
      const before = uploads
      const head = post('/upload', { 'content-length': 5 }).replace(
        '\r\n\r\n',
        '\r\nContent-Length: 7\r\n\r\n',
      )
      const result = await rawRequest(port, head + 'hello', { timeoutMs: 3000 })
      expect(result.ended).toBe('closed')
      const res = onlyResponse(result.received)
      expect(res.status).toBe(400)
      expect(JSON.parse(res.body.toString())).toMatchObject({ status: 400, code: 'ERR_BAD_REQUEST' })
      expect(uploads).toBe(before)
    })

    it('C06: Content-Length with Transfer-Encoding closes the socket with no bytes and routes nothing (RFC-ideal: 400)', async () => {
      const before = uploads
      const head = post('/upload', { 'content-length': 5, 'transfer-encoding': 'chunked' })
      const result = await rawRequest(port, head + '5\r\nhello\r\n0\r\n\r\n', { timeoutMs: 3000 })
      expect(result.ended).toBe('closed')
      expect(result.received.length).toBe(0)
      expect(uploads).toBe(before)
    })

    it('C06: a malformed chunk size closes the socket without a 2xx (RFC-ideal: 400)', async () => {
      const head = post('/upload', { 'transfer-encoding': 'chunked' })
      const result = await rawRequest(port, head + 'zz\r\nhello\r\n0\r\n\r\n', { timeoutMs: 3000 })
      expect(result.ended).toBe('closed')
      expect(result.received.length).toBe(0)
      await waitUntil(() => app.stats().inFlight === 0, 3000, 'the aborted upload to finish')
    })
  })

  it('keeps serving GET /health afterwards', async () => {
    const res = await fetch(`${base}/health`)
    expect(res.status).toBe(200)
  })
})
