import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { Agent, request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildUploadApp } from '../../examples/upload/app.js'
import { bodyLimit, createApp, parseMultipart, Router, type App } from '../../src/index.js'
import { multipartChunks, multipartLength, MULTIPART_TYPE, patternHash, postStream } from './files/helpers.js'
import { finalResponses, hasResponses, onlyResponse, parseResponses } from './helpers/http-parse.js'
import { RawConnection, rawRequest } from './helpers/raw-socket.js'

const MiB = 1024 * 1024
const TEN_MB = 10 * MiB

/** `size` bytes sent chunked (no Content-Length), in 64 KiB pieces. */
function chunked(size: number): Readable {
  return Readable.from(
    (function* () {
      for (let sent = 0; sent < size; sent += 64 * 1024)
        yield Buffer.alloc(Math.min(64 * 1024, size - sent), 'x')
    })(),
  )
}

/**
 * A POST on a connection of its own: a server that answers 413 early closes the connection, and a pooled
 * client reusing it for the next test would see ECONNRESET instead of that test's answer.
 */
async function post(url: string, body: string | Buffer | Readable, headers: Record<string, string> = {}) {
  const dispatcher = new Agent()
  try {
    const res = await request(url, { method: 'POST', body, headers, dispatcher })
    const text = await res.body.text()
    return { status: res.statusCode, json: (): unknown => JSON.parse(text) }
  } finally {
    await dispatcher.close()
  }
}

function head(path: string, length: number, extra = ''): string {
  return (
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n` +
    `Content-Length: ${length}\r\n${extra}\r\n`
  )
}

describe.each(['uws', 'node'] as const)('per-route body limits on the %s core', (core) => {
  let app: App
  let base: string
  let port: number
  let dir: string
  const runs = { tiny: 0, echo: 0, upload: 0 }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'swiftlet-body-limit-'))
    // The app-wide limit stays at its default, 1 MiB.
    app = createApp({ logger: false })
    app.post('/upload', { bodyLimit: 20 * MiB }, async (ctx) => {
      runs.upload++
      return { size: (await ctx.req.bytes()).length }
    })
    app.post('/form', bodyLimit('20mb'), async (ctx) => {
      const { files, cleanup } = await parseMultipart(ctx, { dest: dir, limits: { fileSize: 20 * MiB } })
      try {
        const hash = createHash('sha256')
        await pipeline(createReadStream(files[0]?.path as string), hash)
        return ctx.json({ size: files[0]?.size, sha256: hash.digest('hex') }, 201)
      } finally {
        await cleanup()
      }
    })
    app.post('/echo', async (ctx) => {
      runs.echo++
      return { size: (await ctx.req.bytes()).length }
    })
    app.post('/tiny', { bodyLimit: 1024 }, async (ctx) => {
      runs.tiny++
      return { size: (await ctx.req.bytes()).length }
    })
    app.post('/greedy', async (ctx) => {
      // Code may lower the limit, but raising it here does not make the core buffer more.
      ctx.req.bodyLimit = 50 * MiB
      return { size: (await ctx.req.bytes()).length }
    })
    app.post('/greedy-stream', async (ctx) => {
      ctx.req.bodyLimit = 50 * MiB
      let size = 0
      for await (const chunk of ctx.req.stream()) size += (chunk as Buffer).length
      return { size }
    })
    const api = new Router({ prefix: '/api' }).use(bodyLimit('4mb'))
    api.post('/import', async (ctx) => ({ size: (await ctx.req.bytes()).length }))
    api.post('/note', bodyLimit('1kb'), async (ctx) => ({ size: (await ctx.req.bytes()).length }))
    app.mount(api)
    ;({ url: base, port } = await app.listen({ port: 0, signals: false, core }))
  })

  afterAll(async () => {
    await app.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('accepts a 10 MB POST on the route with bodyLimit 20 MB', async () => {
    const res = await post(`${base}/upload`, Buffer.alloc(TEN_MB, 'u'))
    expect(res.status).toBe(200)
    expect(res.json()).toEqual({ size: TEN_MB })
  })

  it('accepts a 10 MB streamed multipart upload with Content-Length on a bodyLimit("20mb") route', async () => {
    const parts = [{ file: 'file', filename: 'big.bin', size: TEN_MB }]
    const res = await postStream(`${base}/form`, multipartChunks(parts), multipartLength(parts))
    expect(res.status).toBe(201)
    expect(JSON.parse(res.body)).toEqual({ size: TEN_MB, sha256: patternHash(TEN_MB) })
  })

  it('accepts a 10 MB chunked multipart upload on the same route', async () => {
    const parts = [{ file: 'file', filename: 'big.bin', size: TEN_MB }]
    const res = await post(`${base}/form`, Readable.from(multipartChunks(parts)), {
      'content-type': MULTIPART_TYPE,
    })
    expect(res.status).toBe(201)
    expect(res.json()).toEqual({ size: TEN_MB, sha256: patternHash(TEN_MB) })
  })

  it('still answers 413 for 2 MB on a route without a limit of its own, before the handler runs', async () => {
    const before = runs.echo
    const res = await post(`${base}/echo`, Buffer.alloc(2 * MiB, 'e'))
    expect(res.status).toBe(413)
    expect(res.json()).toMatchObject({ code: 'ERR_BODY_TOO_LARGE' })
    expect(runs.echo).toBe(before)
  })

  it('answers 413 for a declared 2 MB at once, without the body, and closes the connection', async () => {
    const before = runs.echo
    const result = await rawRequest(port, head('/echo', 2 * MiB), { until: hasResponses(1) })
    const res = onlyResponse(result.received)
    expect(res.status).toBe(413)
    expect(JSON.parse(res.body.toString())).toMatchObject({ code: 'ERR_BODY_TOO_LARGE' })
    expect(res.get('connection')).toBe('close')
    expect(runs.echo).toBe(before)
  })

  it('answers 413 above a route limit lowered to 1 KB, without running the handler', async () => {
    const before = runs.tiny
    const ok = await post(`${base}/tiny`, 'x'.repeat(1024))
    expect(ok.json()).toEqual({ size: 1024 })
    const res = await post(`${base}/tiny`, 'x'.repeat(1025))
    expect(res.status).toBe(413)
    expect(res.json()).toMatchObject({
      code: 'ERR_BODY_TOO_LARGE',
      message: expect.stringContaining('1024'),
    })
    expect(runs.tiny).toBe(before + 1)
  })

  it('answers 413 for a chunked body over the route limit, lowered or raised', async () => {
    const tiny = await post(`${base}/tiny`, chunked(4096))
    expect(tiny.status).toBe(413)
    expect(tiny.json()).toMatchObject({ code: 'ERR_BODY_TOO_LARGE' })
    const echo = await post(`${base}/echo`, chunked(2 * MiB))
    expect(echo.status).toBe(413)
    const upload = await post(`${base}/upload`, chunked(21 * MiB))
    expect(upload.status).toBe(413)
    expect(upload.json()).toMatchObject({ message: expect.stringContaining(String(20 * MiB)) })
  })

  it('accepts a chunked 3 MB body on the raised route (past the 1 MiB unread buffer)', async () => {
    const res = await post(`${base}/upload`, chunked(3 * MiB))
    expect(res.status).toBe(200)
    expect(res.json()).toEqual({ size: 3 * MiB })
  })

  it('refuses Expect: 100-continue over the route limit before the body is sent', async () => {
    const before = runs.upload
    const conn = await RawConnection.open(port)
    try {
      await conn.write(head('/upload', 25 * MiB, 'Expect: 100-continue\r\n'))
      expect(await conn.waitFor(hasResponses(1), 3000)).toBe(true)
      const [res] = finalResponses(conn.received)
      expect(res?.status).toBe(413)
      expect(JSON.parse(res?.body.toString() ?? '')).toMatchObject({ code: 'ERR_BODY_TOO_LARGE' })
      expect(await conn.waitForClose(3000)).toBe(true)
      expect(runs.upload).toBe(before)
    } finally {
      conn.destroy()
    }
  })

  it('lets Expect: 100-continue within the raised limit through (100, then 200)', async () => {
    const conn = await RawConnection.open(port)
    try {
      await conn.write(head('/upload', 2 * MiB, 'Expect: 100-continue\r\n'))
      expect(await conn.waitFor((data) => data.toString('latin1').includes('100 Continue'), 3000)).toBe(true)
      await conn.write(Buffer.alloc(2 * MiB, 'c'))
      expect(await conn.waitFor(hasResponses(1), 10_000)).toBe(true)
      const { responses } = parseResponses(conn.received)
      expect(responses.map((r) => r.status)).toEqual([100, 200])
      expect(JSON.parse(responses[1]?.body.toString() ?? '')).toEqual({ size: 2 * MiB })
    } finally {
      conn.destroy()
    }
  })

  it('keeps the core ceiling when code raises ctx.req.bodyLimit at run time', async () => {
    const res = await post(`${base}/greedy`, chunked(2 * MiB))
    expect(res.status).toBe(413)
    expect(res.json()).toMatchObject({ code: 'ERR_BODY_TOO_LARGE' })
    const streamed = await post(`${base}/greedy-stream`, chunked(2 * MiB))
    expect(streamed.status).toBe(413)
    expect(streamed.json()).toMatchObject({
      code: 'ERR_BODY_TOO_LARGE',
      message: expect.stringContaining(String(MiB)),
    })
  })

  it('applies router-level bodyLimit() to its routes, and the route-level one wins over it', async () => {
    const imported = await post(`${base}/api/import`, Buffer.alloc(3 * MiB))
    expect(imported.json()).toEqual({ size: 3 * MiB })
    const tooBig = await post(`${base}/api/import`, Buffer.alloc(5 * MiB))
    expect(tooBig.status).toBe(413)
    const note = await post(`${base}/api/note`, 'n'.repeat(2000))
    expect(note.status).toBe(413)
  })

  it('keeps answering 413 (not 404) for 2 MB to a path no route matches, and serves on', async () => {
    const result = await rawRequest(port, head('/nowhere', 2 * MiB), { until: hasResponses(1) })
    expect(onlyResponse(result.received).status).toBe(413)
    const small = await post(`${base}/nowhere`, 'x')
    expect(small.status).toBe(404)
    const res = await post(`${base}/echo`, 'still up')
    expect(res.json()).toEqual({ size: 8 })
  })
})

describe('examples/upload with a per-route limit', () => {
  let app: App
  let base: string
  let dir: string

  beforeAll(async () => {
    ;({ app, dir } = buildUploadApp({ logger: false }))
    ;({ url: base } = await app.listen({ port: 0, signals: false }))
  })

  afterAll(async () => {
    await app.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('accepts a 3 MiB upload on /upload while the app keeps the default 1 MiB elsewhere', async () => {
    expect(app.limits.body).toBe(MiB)
    const parts = [{ file: 'files', filename: 'three.bin', size: 3 * MiB }]
    const res = await postStream(`${base}/upload`, multipartChunks(parts), multipartLength(parts))
    expect(res.status).toBe(201)
    expect(JSON.parse(res.body)).toMatchObject([{ filename: 'three.bin', size: 3 * MiB }])
    const elsewhere = await post(`${base}/files`, Buffer.alloc(2 * MiB))
    expect(elsewhere.status).toBe(413)
  })
})
