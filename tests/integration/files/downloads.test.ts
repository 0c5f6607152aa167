import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { parse as parseDisposition } from 'content-disposition'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, download, type App } from '../../../src/index.js'
import { hasResponses, onlyResponse } from '../helpers/http-parse.js'
import { rawRequest } from '../helpers/raw-socket.js'
import { get } from '../helpers/server.js'

const small = Buffer.from(Array.from({ length: 100 }, (_, i) => i))
const big = Buffer.alloc(5 * 1024 * 1024)
for (let i = 0; i < big.length; i++) big[i] = (i * 7 + 3) & 0xff
const UNICODE_NAME = 'Résumé 履歴書 2026.pdf'

describe('download() on the uWS core', () => {
  let app: App
  let dir = ''
  let base = ''
  let port = 0

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'swiftlet-downloads-'))
    await writeFile(path.join(dir, 'report.bin'), small)
    await writeFile(path.join(dir, 'big.bin'), big)
    app = createApp({ logger: false })
    app.get('/report', (ctx) => download(ctx, path.join(dir, 'report.bin'), { filename: UNICODE_NAME }))
    app.get('/plain', (ctx) => download(ctx, path.join(dir, 'report.bin')))
    app.get('/inline', (ctx) =>
      download(ctx, path.join(dir, 'report.bin'), { filename: 'a.txt', inline: true }),
    )
    app.get('/big', (ctx) => download(ctx, path.join(dir, 'big.bin')))
    app.get('/missing', (ctx) => download(ctx, path.join(dir, 'nope.bin')))
    app.get('/bytes', (ctx) => download(ctx, small, { filename: 'data.csv' }))
    app.get('/stream', (ctx) =>
      download(ctx, Readable.from([Buffer.from('line 1\n'), Buffer.from('line 2\n')]), {
        filename: 'log.txt',
      }),
    )
    base = (await app.listen({ port: 0, signals: false })).url
    port = Number(new URL(base).port)
  })

  afterAll(async () => {
    await app?.close()
    await rm(dir, { recursive: true, force: true })
  })

  const fetchRange = (url: string, range: string, extra: Record<string, string> = {}) =>
    fetch(`${base}${url}`, { headers: { range, ...extra } })

  it('names a unicode file per RFC 6266: an ASCII filename plus the exact name in filename* (RFC 8187)', async () => {
    const res = await fetch(`${base}/report`)
    expect(res.status).toBe(200)
    const header = res.headers.get('content-disposition') ?? ''
    expect(header).toBe(
      `attachment; filename="Resume ___ 2026.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%E5%B1%A5%E6%AD%B4%E6%9B%B8%202026.pdf`,
    )
    expect(header).toMatch(/^[\x20-\x7e]*$/) // the header itself is ASCII
    expect(parseDisposition(header)).toEqual({ type: 'attachment', parameters: { filename: UNICODE_NAME } })
    expect(res.headers.get('content-type')).toBe('application/pdf')
    expect(Buffer.from(await res.arrayBuffer()).equals(small)).toBe(true)
  })

  it('uses the base name and extension of the path by default, and inline on request', async () => {
    const plain = await fetch(`${base}/plain`)
    expect(plain.headers.get('content-disposition')).toBe('attachment; filename="report.bin"')
    expect(plain.headers.get('content-type')).toBe('application/octet-stream')
    const inline = await fetch(`${base}/inline`)
    expect(inline.headers.get('content-disposition')).toBe('inline; filename="a.txt"')
    expect(inline.headers.get('content-type')).toBe('text/plain; charset=utf-8')
  })

  it('sends validators and answers a conditional GET with 304', async () => {
    const first = await fetch(`${base}/report`)
    const etag = first.headers.get('etag') ?? ''
    expect(etag).toMatch(/^W\/"64-[0-9a-f]+"$/)
    expect(first.headers.get('last-modified')).toMatch(/GMT$/)
    expect(first.headers.get('accept-ranges')).toBe('bytes')
    const again = await fetch(`${base}/report`, { headers: { 'if-none-match': etag } })
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
  })

  it('answers a single range with 206, Content-Range and exactly those bytes (RFC 9110 §14)', async () => {
    const res = await fetchRange('/report', 'bytes=10-19')
    expect(res.status).toBe(206)
    expect(res.headers.get('content-range')).toBe('bytes 10-19/100')
    expect(res.headers.get('content-length')).toBe('10')
    expect(Buffer.from(await res.arrayBuffer()).equals(small.subarray(10, 20))).toBe(true)
    const suffix = await fetchRange('/report', 'bytes=-5')
    expect(suffix.headers.get('content-range')).toBe('bytes 95-99/100')
  })

  it('answers 416 with Content-Range bytes */size and the JSON error body for a range past the end', async () => {
    const res = await fetchRange('/report', 'bytes=500-')
    expect(res.status).toBe(416)
    expect(res.headers.get('content-range')).toBe('bytes */100')
    expect(await res.json()).toMatchObject({ status: 416, code: 'ERR_RANGE_NOT_SATISFIABLE' })
  })

  it('coalesces overlapping ranges into one 206, and sends the whole body for disjoint ones (200)', async () => {
    const overlapping = await fetchRange('/report', 'bytes=0-9,5-14')
    expect(overlapping.status).toBe(206)
    expect(overlapping.headers.get('content-range')).toBe('bytes 0-14/100')
    const disjoint = await fetchRange('/report', 'bytes=0-1,50-51')
    expect(disjoint.status).toBe(200)
    expect((await disjoint.arrayBuffer()).byteLength).toBe(100)
    expect((await fetchRange('/report', 'bytes=5x-9')).status).toBe(200)
    expect((await fetchRange('/report', 'bytes=0-1', { 'if-range': '"stale"' })).status).toBe(200)
  })

  it('streams a large file and a large range from disk with every byte', async () => {
    const whole = await fetch(`${base}/big`)
    expect(whole.headers.get('content-length')).toBe(String(big.length))
    expect(Buffer.from(await whole.arrayBuffer()).equals(big)).toBe(true)
    const part = await fetchRange('/big', 'bytes=1000000-2999999')
    expect(part.status).toBe(206)
    expect(Buffer.from(await part.arrayBuffer()).equals(big.subarray(1_000_000, 3_000_000))).toBe(true)
  })

  it('answers HEAD with the headers and Content-Length but no body', async () => {
    const raw = await rawRequest(port, get('/big', {}, 'HEAD'), {
      until: hasResponses(1, { headResponses: [0] }),
    })
    const res = onlyResponse(raw.received, { headResponses: [0] })
    expect(res.status).toBe(200)
    expect(res.get('content-length')).toBe(String(big.length))
    expect(res.get('content-disposition')).toBe('attachment; filename="big.bin"')
    expect(res.body.length).toBe(0)
  })

  it('answers 404 with the JSON error body for a missing file', async () => {
    const res = await fetch(`${base}/missing`)
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ status: 404, code: 'ERR_NOT_FOUND' })
  })

  it('serves bytes with a strong ETag and ranges, and a stream as it comes (Accept-Ranges: none)', async () => {
    const bytes = await fetchRange('/bytes', 'bytes=0-3')
    expect(bytes.status).toBe(206)
    expect(bytes.headers.get('etag')).toMatch(/^"64-/)
    expect(bytes.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(Buffer.from(await bytes.arrayBuffer()).equals(small.subarray(0, 4))).toBe(true)
    const stream = await fetchRange('/stream', 'bytes=0-3')
    expect(stream.status).toBe(200)
    expect(stream.headers.get('accept-ranges')).toBe('none')
    expect(stream.headers.get('content-disposition')).toBe('attachment; filename="log.txt"')
    expect(await stream.text()).toBe('line 1\nline 2\n')
  })
})
