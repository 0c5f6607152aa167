import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../../src/index.js'
import { serveStatic } from '../../../src/middleware/static/index.js'
import { hasResponses, onlyResponse } from '../helpers/http-parse.js'
import { rawRequest } from '../helpers/raw-socket.js'
import { get } from '../helpers/server.js'
import { start } from './helpers.js'

const SECRET = 'TOP-SECRET-OUTSIDE-THE-ROOT'
const bytes = Buffer.from(Array.from({ length: 100 }, (_, i) => i))

describe('serveStatic()', () => {
  let dir: string
  let app: App
  let base: string
  let port: number

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'swiftlet-static-'))
    const root = path.join(dir, 'public')
    await mkdir(path.join(root, 'docs'), { recursive: true })
    await writeFile(path.join(root, 'app.js'), 'console.log("hi")\n')
    await writeFile(path.join(root, 'data.bin'), bytes)
    await writeFile(path.join(root, '.env'), 'PASSWORD=1')
    await writeFile(path.join(root, 'docs', 'index.html'), '<h1>docs</h1>')
    await writeFile(path.join(dir, 'secret.txt'), SECRET)
    await symlink(path.join(dir, 'secret.txt'), path.join(root, 'escape.txt'))
    await symlink(path.join(root, 'app.js'), path.join(root, 'alias.js'))
    await utimes(
      path.join(root, 'app.js'),
      new Date('2026-01-02T03:04:05Z'),
      new Date('2026-01-02T03:04:05Z'),
    )
    app = createApp({ logger: false })
    app.use(serveStatic({ root, prefix: '/assets', maxAge: 3600, maxSize: 64, fallthrough: false }))
    app.use(serveStatic({ root, prefix: '/lenient' }))
    app.get('/lenient/:name', (ctx) => ({ route: ctx.params.name }))
    const started = await start(app)
    base = started
    port = Number(new URL(started).port)
  })

  afterAll(async () => {
    await app.close()
    await rm(dir, { recursive: true, force: true })
  })

  async function raw(target: string) {
    const result = await rawRequest(port, get(target), { until: hasResponses(1) })
    return onlyResponse(result.received)
  }

  describe('serving', () => {
    it('serves a file with its MIME type, validators, Cache-Control and Accept-Ranges', async () => {
      const res = await fetch(`${base}/assets/app.js`)
      expect(res.status).toBe(200)
      expect(await res.text()).toBe('console.log("hi")\n')
      expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
      expect(res.headers.get('etag')).toMatch(/^W\/"12-[0-9a-f]+"$/)
      expect(res.headers.get('last-modified')).toBe('Fri, 02 Jan 2026 03:04:05 GMT')
      expect(res.headers.get('cache-control')).toBe('public, max-age=3600')
      expect(res.headers.get('accept-ranges')).toBe('bytes')
    })

    it('answers HEAD with the headers and length but no body', async () => {
      const head = await rawRequest(port, get('/assets/app.js', {}, 'HEAD'), {
        until: hasResponses(1, { headResponses: [0] }),
      })
      const parsed = onlyResponse(head.received, { headResponses: [0] })
      expect(parsed.status).toBe(200)
      expect(parsed.get('content-length')).toBe('18')
      expect(parsed.body.length).toBe(0)
    })

    it('serves index.html for a directory and redirects the slash-less path', async () => {
      const index = await fetch(`${base}/assets/docs/`)
      expect(await index.text()).toBe('<h1>docs</h1>')
      expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8')
      const redirect = await fetch(`${base}/assets/docs?x=1`, { redirect: 'manual' })
      expect(redirect.status).toBe(301)
      expect(redirect.headers.get('location')).toBe('/assets/docs/?x=1')
    })

    it('follows a symlink that stays inside the root', async () => {
      expect(await (await fetch(`${base}/assets/alias.js`)).text()).toBe('console.log("hi")\n')
    })

    it('answers 404 for a missing file and hides dotfiles', async () => {
      expect((await fetch(`${base}/assets/nope.js`)).status).toBe(404)
      expect((await fetch(`${base}/assets/.env`)).status).toBe(404)
    })

    it('answers 405 with Allow for other methods', async () => {
      const res = await fetch(`${base}/assets/app.js`, { method: 'DELETE' })
      expect(res.status).toBe(405)
      expect(res.headers.get('allow')).toBe('GET, HEAD')
    })
  })

  describe('conditional GET', () => {
    it('answers 304 to a matching If-None-Match, weak or strong', async () => {
      const etag = (await fetch(`${base}/assets/app.js`)).headers.get('etag') ?? ''
      for (const tag of [etag, etag.slice(2), `"other", ${etag}`, '*']) {
        const res = await fetch(`${base}/assets/app.js`, { headers: { 'if-none-match': tag } })
        expect(res.status).toBe(304)
        expect(res.headers.get('etag')).toBe(etag)
        expect(await res.text()).toBe('')
      }
    })

    it('answers 304 to If-Modified-Since at or after the mtime, 200 before it', async () => {
      const fresh = await fetch(`${base}/assets/app.js`, {
        headers: { 'if-modified-since': 'Fri, 02 Jan 2026 03:04:05 GMT' },
      })
      expect(fresh.status).toBe(304)
      const stale = await fetch(`${base}/assets/app.js`, {
        headers: { 'if-modified-since': 'Fri, 02 Jan 2026 03:04:04 GMT' },
      })
      expect(stale.status).toBe(200)
    })

    it('lets If-None-Match take precedence over If-Modified-Since', async () => {
      const res = await fetch(`${base}/assets/app.js`, {
        headers: { 'if-none-match': '"other"', 'if-modified-since': 'Fri, 02 Jan 2099 00:00:00 GMT' },
      })
      expect(res.status).toBe(200)
    })
  })

  describe('ranges', () => {
    const range = (value: string, extra: Record<string, string> = {}) =>
      fetch(`${base}/assets/data.bin`, { headers: { range: value, ...extra } })

    it('answers 206 with Content-Range for a byte range and a suffix range', async () => {
      const res = await range('bytes=10-19')
      expect(res.status).toBe(206)
      expect(res.headers.get('content-range')).toBe('bytes 10-19/100')
      expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes.subarray(10, 20))
      const suffix = await range('bytes=-5')
      expect(suffix.headers.get('content-range')).toBe('bytes 95-99/100')
    })

    it('answers 416 with bytes */size for a range past the end', async () => {
      const res = await range('bytes=100-')
      expect(res.status).toBe(416)
      expect(res.headers.get('content-range')).toBe('bytes */100')
    })

    it('ignores malformed or multiple ranges and a stale If-Range (200, whole file within maxSize)', async () => {
      const small = (value: string, extra: Record<string, string> = {}) =>
        fetch(`${base}/assets/app.js`, { headers: { range: value, ...extra } })
      expect((await small('bytes=0-1,4-5')).status).toBe(200)
      expect((await small('lines=1-2')).status).toBe(200)
      expect((await small('bytes=0-1', { 'if-range': '"stale"' })).status).toBe(200)
    })

    it('streams a range or a whole file larger than maxSize, with its Content-Length and every byte', async () => {
      const res = await range('bytes=0-')
      expect(res.status).toBe(206)
      expect(res.headers.get('content-range')).toBe('bytes 0-99/100')
      expect(res.headers.get('content-length')).toBe('100')
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true)
      const whole = await fetch(`${base}/assets/data.bin`)
      expect(whole.status).toBe(200)
      expect(whole.headers.get('content-length')).toBe('100')
      expect((await whole.arrayBuffer()).byteLength).toBe(100)
    })
  })

  describe('traversal (raw sockets: fetch would normalise these)', () => {
    const attempts: Array<[string, number]> = [
      ['/assets/../secret.txt', 404],
      ['/assets/%2e%2e/secret.txt', 404],
      ['/assets/..%2fsecret.txt', 403],
      ['/assets/..%2Fsecret.txt', 403],
      ['/assets/..%5csecret.txt', 403],
      ['/assets/..\\secret.txt', 403],
      ['/assets/app.js%00.png', 400],
      ['/assets/%c0%ae%c0%ae/secret.txt', 400],
      ['/assets//etc/passwd', 404],
      ['/assets/escape.txt', 403],
    ]
    for (const [target, status] of attempts) {
      it(`refuses ${target} with ${status} and never leaks the file`, async () => {
        const res = await raw(target)
        expect(res.status).toBe(status)
        expect(res.body.toString('latin1')).not.toContain(SECRET)
      })
    }

    it('passes refused paths on to the router with fallthrough (an encoded slash is a route param)', async () => {
      const res = await raw('/lenient/a%2Fb')
      expect(res.status).toBe(200)
      expect(JSON.parse(res.body.toString())).toEqual({ route: 'a/b' })
      expect((await raw('/lenient/escape.txt')).body.toString()).not.toContain(SECRET)
    })
  })
})
