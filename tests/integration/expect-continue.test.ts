import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, HttpError, type App } from '../../src/index.js'
import { finalResponses, hasResponses, parseResponses } from './helpers/http-parse.js'
import { RawConnection } from './helpers/raw-socket.js'
import { listen } from './helpers/server.js'

const run = promisify(execFile)
const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n'

function post(path: string, length: number, expectValue = '100-continue'): string {
  return (
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n` +
    `Content-Length: ${length}\r\nExpect: ${expectValue}\r\n\r\n`
  )
}

describe('Expect: 100-continue over a real socket', () => {
  let app: App
  let port: number
  let base: string
  let dir: string
  let privateRuns = 0

  beforeAll(async () => {
    app = createApp({ logger: false })
    app.use(async (ctx, next) => {
      if (ctx.path.startsWith('/private/') && ctx.headers.authorization !== 'Bearer ok') {
        throw new HttpError(401, 'credentials required', { headers: { 'www-authenticate': 'Bearer' } })
      }
      await next()
    })
    app.get('/health', () => ({ status: 'ok' }))
    app.post('/upload', async (ctx) => (await ctx.req.bytes()).length.toString())
    app.post('/private/x', async (ctx) => {
      privateRuns++
      return (await ctx.req.bytes()).length.toString()
    })
    ;({ port, url: base } = await listen(app))
    dir = await mkdtemp(join(tmpdir(), 'swiftlet-c07-'))
  })

  afterAll(async () => {
    await app.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('C07: answers 100 Continue before the body, then 200 once the body arrived', async () => {
    const conn = await RawConnection.open(port)
    try {
      await conn.write(post('/upload', 2000))
      expect(await conn.waitFor((data) => data.length >= CONTINUE.length, 3000)).toBe(true)
      expect(conn.received.toString('latin1')).toBe(CONTINUE)
      await conn.write(Buffer.alloc(2000, 'x'))
      expect(await conn.waitFor(hasResponses(1), 3000)).toBe(true)
      const { responses, rest } = parseResponses(conn.received)
      expect(rest.length).toBe(0)
      expect(responses.map((r) => r.status)).toEqual([100, 200])
      expect(responses[1]?.body.toString()).toBe('2000')
    } finally {
      conn.destroy()
    }
  })

  it('C07: answers 413 right after the 100 line for Content-Length 5000000, without the body', async () => {
    const conn = await RawConnection.open(port)
    try {
      await conn.write(post('/upload', 5_000_000))
      expect(await conn.waitFor(hasResponses(1), 3000)).toBe(true)
      const { responses } = parseResponses(conn.received)
      // uWS writes the interim 100 itself before JS runs (UWS-NOTES); the final status follows at once.
      expect(responses.map((r) => r.status)).toEqual([100, 413])
      expect(JSON.parse(responses[1]?.body.toString() ?? '')).toMatchObject({ code: 'ERR_BODY_TOO_LARGE' })
      expect(await conn.waitForClose(3000)).toBe(true)
    } finally {
      conn.destroy()
    }
  })

  it('C07: answers 401 right after the 100 line for /private/x without credentials, without the body', async () => {
    const before = privateRuns
    const conn = await RawConnection.open(port)
    try {
      await conn.write(post('/private/x', 2000))
      expect(await conn.waitFor(hasResponses(1), 3000)).toBe(true)
      const [res] = finalResponses(conn.received)
      expect(res?.status).toBe(401)
      expect(res?.get('www-authenticate')).toBe('Bearer')
      expect(privateRuns).toBe(before)
      // The body was never read: the connection is closed rather than left to misparse it.
      expect(await conn.waitForClose(3000)).toBe(true)
    } finally {
      conn.destroy()
    }
  })

  it('C07: answers 417 to an Expect other than 100-continue', async () => {
    const conn = await RawConnection.open(port)
    try {
      await conn.write(post('/upload', 5, 'foo') + 'hello')
      expect(await conn.waitFor(hasResponses(1), 3000)).toBe(true)
      const { responses, rest } = parseResponses(conn.received)
      expect(rest.length).toBe(0)
      expect(responses.map((r) => r.status)).toEqual([417])
      expect(JSON.parse(responses[0]?.body.toString() ?? '')).toMatchObject({
        code: 'ERR_EXPECTATION_FAILED',
      })
    } finally {
      conn.destroy()
    }
  })

  it('C07: a 2 KB `curl -d @file` POST with Expect: 100-continue completes within a second', async () => {
    const file = join(dir, 'body.txt')
    await writeFile(file, 'y'.repeat(2048))
    // curl waits --expect100-timeout for the 100 line before sending the body: 10 s here, so a server
    // that never sends it would show up as a 10 s transfer.
    const { stdout, stderr } = await run(
      'curl',
      [
        '-sS',
        '-v',
        '--expect100-timeout',
        '10',
        '-H',
        'Expect: 100-continue',
        '-H',
        'Content-Type: text/plain',
        '-d',
        `@${file}`,
        '-w',
        '\n%{http_code} %{time_total}',
        `${base}/upload`,
      ],
      { timeout: 15_000 },
    )
    const [body, summary = ''] = stdout.split('\n')
    const [code, seconds] = summary.split(' ')
    expect(stderr).toContain('HTTP/1.1 100 Continue')
    expect(code).toBe('200')
    expect(body).toBe('2048')
    expect(Number(seconds)).toBeLessThan(1)
  })

  it('keeps serving GET /health afterwards', async () => {
    expect((await fetch(`${base}/health`)).status).toBe(200)
  })
})
