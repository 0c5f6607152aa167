/**
 * HTTP/2 on the node core (`listen({ tls, http2: true })`) beyond the case table: ALPN with HTTP/1.1
 * fallback, curl as a second client, Expect, streaming and SSE progress, client resets, GOAWAY on graceful
 * shutdown, and the deadlines the core enforces itself for HTTP/2 (RFC 9113).
 */
import { execFile } from 'node:child_process'
import { rm, writeFile } from 'node:fs/promises'
import { connect, constants, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect as connectTls } from 'node:tls'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sse, type App, type ListenOptions } from '../../src/index.js'
import { waitUntil, within } from '../integration/helpers/server.js'
import { conformanceApp } from './app.js'
import { testCertificate } from './certs.js'

interface H2Response {
  headers: IncomingHttpHeaders
  body: string
  /** Body chunks with the ms since the request started at which each arrived. */
  chunks: Array<{ at: number; text: string }>
}

/** One request on `session`; `body` is written after `100 Continue` when `expect` asks for it. */
function h2Request(
  session: ClientHttp2Session,
  headers: Record<string, string>,
  body?: string,
): Promise<H2Response> {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const waitForContinue = headers.expect === '100-continue'
    const req = session.request(headers, { endStream: body === undefined })
    if (body !== undefined) {
      if (waitForContinue) req.once('continue', () => req.end(body))
      else req.end(body)
    }
    const chunks: H2Response['chunks'] = []
    let responseHeaders: IncomingHttpHeaders = {}
    req.on('response', (h) => (responseHeaders = h))
    req.on('data', (chunk: Buffer) => chunks.push({ at: Date.now() - started, text: chunk.toString() }))
    req.on('end', () =>
      resolve({ headers: responseHeaders, body: chunks.map((c) => c.text).join(''), chunks }),
    )
    req.on('error', reject)
  })
}

async function listenH2(
  app: App,
  extra: ListenOptions = {},
): Promise<{ url: string; port: number; ca: string }> {
  const { key, cert } = await testCertificate()
  const info = await app.listen({ port: 0, signals: false, tls: { key, cert }, http2: true, ...extra })
  return { url: info.url, port: info.port, ca: cert }
}

describe('HTTP/2 on the node core', () => {
  const app = conformanceApp()
  let aborted = 0
  let server: { url: string; port: number; ca: string }
  let session: ClientHttp2Session

  beforeAll(async () => {
    app.get('/ticks', (ctx) => {
      const stream = sse(ctx, { heartbeatMs: 0 })
      let n = 0
      const timer = setInterval(() => (++n > 3 ? stream.end() : stream.send(`tick ${n}`)), 150)
      stream.onClose(() => clearInterval(timer))
    })
    app.get('/hang', async (ctx) => {
      ctx.signal.addEventListener('abort', () => aborted++)
      await sleep(3000)
      return 'late'
    })
    server = await listenH2(app)
    session = connect(server.url, { ca: server.ca })
  })

  afterAll(async () => {
    session.close()
    await app.close()
  })

  it('reports https:// and the node:http2 core', () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    expect(app.address?.core).toBe('node:http2')
  })

  it('negotiates h2 by ALPN and falls back to http/1.1 for clients without it', async () => {
    const alpn = (protocols: string[]): Promise<string | false> =>
      new Promise((resolve, reject) => {
        const socket = connectTls({
          host: '127.0.0.1',
          port: server.port,
          ca: server.ca,
          ALPNProtocols: protocols,
        })
        socket.once('secureConnect', () => {
          resolve(socket.alpnProtocol ?? false)
          socket.destroy()
        })
        socket.once('error', reject)
      })
    expect(await alpn(['h2', 'http/1.1'])).toBe('h2')
    expect(await alpn(['http/1.1'])).toBe('http/1.1')
  })

  it('serves curl --http2 and curl --http1.1 on the same port', async () => {
    const caFile = join(tmpdir(), `swiftlet-conformance-${process.pid}.pem`)
    await writeFile(caFile, server.ca)
    const curl = async (version: string): Promise<string> =>
      (
        await promisify(execFile)(
          'curl',
          [
            '-sS',
            version,
            '--cacert',
            caFile,
            '-w',
            '\n%{http_version} %{http_code}',
            `${server.url}/items/7`,
          ],
          {
            timeout: 10_000,
          },
        )
      ).stdout
    try {
      expect(await curl('--http2')).toBe('{"id":"7"}\n2 200')
      expect(await curl('--http1.1')).toBe('{"id":"7"}\n1.1 200')
    } finally {
      await rm(caFile, { force: true })
    }
  })

  it('answers Expect: 100-continue with 100, then the final response', async () => {
    const res = await h2Request(
      session,
      { ':method': 'POST', ':path': '/echo', 'content-type': 'application/json', expect: '100-continue' },
      '{"a":1}',
    )
    expect(res.headers[':status']).toBe(201)
    expect(JSON.parse(res.body)).toEqual({ a: 1 })
  })

  it('answers any other Expect with a JSON 417', async () => {
    const res = await h2Request(session, { ':path': '/items/1', expect: 'teapot' })
    expect(res.headers[':status']).toBe(417)
    expect(JSON.parse(res.body)).toMatchObject({ code: 'ERR_EXPECTATION_FAILED' })
  })

  it('answers 400 when Host differs from :authority (RFC 9113 §8.3.1)', async () => {
    const authority = new URL(server.url).host
    const res = await h2Request(session, {
      ':path': '/items/1',
      ':authority': authority,
      host: 'elsewhere.example',
    })
    expect(res.headers[':status']).toBe(400)
    expect(JSON.parse(res.body)).toMatchObject({ code: 'ERR_BAD_REQUEST' })
  })

  it('reads a body sent without Content-Length (DATA frames until END_STREAM)', async () => {
    const res = await h2Request(session, { ':method': 'POST', ':path': '/upload' }, 'x'.repeat(5000))
    expect(JSON.parse(res.body)).toEqual({ bytes: 5000 })
  })

  it('answers 413 before reading a large body, and the connection keeps serving', async () => {
    const res = await within(
      h2Request(session, { ':method': 'POST', ':path': '/small' }, 'x'.repeat(3 * 1024 * 1024)),
      5000,
      'the 413',
    )
    expect(res.headers[':status']).toBe(413)
    expect(JSON.parse(res.body)).toMatchObject({ code: 'ERR_BODY_TOO_LARGE' })
    expect((await h2Request(session, { ':path': '/items/1' })).headers[':status']).toBe(200)
  })

  it('delivers each Server-Sent Event as it is sent, not at the end', async () => {
    const res = await h2Request(session, { ':path': '/ticks' })
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8')
    expect(res.body).toBe('data: tick 1\n\ndata: tick 2\n\ndata: tick 3\n\n')
    const first = res.chunks.find((c) => c.text.includes('tick 1'))
    const last = res.chunks.find((c) => c.text.includes('tick 3'))
    expect((last?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(200)
  })

  it('fires ctx.signal when the client resets its stream, and keeps serving', async () => {
    const before = aborted
    const req = session.request({ ':path': '/hang' })
    req.on('error', () => undefined)
    await sleep(100)
    req.close(constants.NGHTTP2_CANCEL)
    await waitUntil(() => aborted === before + 1, 2000, 'the abort signal')
    expect((await h2Request(session, { ':path': '/items/1' })).headers[':status']).toBe(200)
  })
})

describe('HTTP/2 shutdown and deadlines', () => {
  it('sends GOAWAY on close() and lets the open stream finish', async () => {
    const app = conformanceApp()
    const server = await listenH2(app)
    const session = connect(server.url, { ca: server.ca })
    const goaway = new Promise<void>((resolve) => session.once('goaway', () => resolve()))
    try {
      const slow = h2Request(session, { ':path': '/slow?ms=400' })
      await sleep(100)
      const closed = app.close()
      await within(goaway, 2000, 'GOAWAY')
      const res = await within(slow, 3000, 'the open stream')
      expect(res.headers[':status']).toBe(200)
      expect(JSON.parse(res.body)).toEqual({ slept: 400 })
      await within(closed, 5000, 'app.close()')
    } finally {
      session.destroy()
    }
  })

  it('closes a connection that opens no stream within headersTimeoutMs', async () => {
    const app = conformanceApp()
    const server = await listenH2(app, { headersTimeoutMs: 500 })
    const session = connect(server.url, { ca: server.ca })
    session.on('error', () => undefined)
    try {
      const started = Date.now()
      await within(new Promise((resolve) => session.once('close', resolve)), 4000, 'the idle session closing')
      expect(Date.now() - started).toBeGreaterThanOrEqual(400)
    } finally {
      session.destroy()
      await app.close()
    }
  })

  it('answers 408 when a request body is not complete within requestTimeoutMs', async () => {
    const app = conformanceApp()
    const server = await listenH2(app, { requestTimeoutMs: 800 })
    const session = connect(server.url, { ca: server.ca })
    try {
      const res = await within(
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = session.request({
            ':method': 'POST',
            ':path': '/echo',
            'content-type': 'application/json',
          })
          req.write('{"a"') // and never the rest
          let status = 0
          let body = ''
          req.on('response', (h) => (status = Number(h[':status'])))
          req.on('data', (chunk: Buffer) => (body += chunk.toString()))
          req.on('end', () => resolve({ status, body }))
          req.on('error', reject)
        }),
        5000,
        'the 408',
      )
      expect(res.status).toBe(408)
      expect(JSON.parse(res.body)).toMatchObject({ code: 'ERR_REQUEST_TIMEOUT' })
    } finally {
      session.destroy()
      await app.close()
    }
  })
})
