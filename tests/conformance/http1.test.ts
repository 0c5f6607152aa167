/**
 * HTTP/1.1 behaviour the case table cannot express (it needs raw bytes): pipelining, Expect, HTTP/1.0, the
 * uWS parser's header-line limit, and the header deadline over TLS. Each core's expected outcome is stated,
 * with the reason where it differs (docs/cores.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseResponses } from '../integration/helpers/http-parse.js'
import { conformanceApp } from './app.js'
import { testCertificate } from './certs.js'
import { exchange } from './raw-tls.js'
import { startTarget, type Target } from './targets.js'

const SOCKET_CORES = ['uws', 'node', 'https'] as const
const count = (n: number) => (data: Buffer) => {
  try {
    return parseResponses(data).responses.filter((r) => r.status >= 200).length >= n
  } catch {
    return false
  }
}

describe.each(SOCKET_CORES)('HTTP/1.1 on the %s core', (name) => {
  let target: Target
  let ca: string | undefined

  beforeAll(async () => {
    target = await startTarget(name, conformanceApp())
    ca = name === 'https' ? (await testCertificate()).cert : undefined
  })

  afterAll(() => target.close())

  it('answers Expect: 100-continue with 100 Continue, then the final response', async () => {
    const head =
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\n' +
      'Expect: 100-continue\r\nConnection: close\r\n\r\n'
    const result = await exchange(target.port, head, { ca, afterFirstBytes: '{"a":1}', until: count(1) })
    const [interim, final] = parseResponses(result.received).responses
    expect(interim?.status).toBe(100)
    expect(final?.status).toBe(201)
    expect(JSON.parse(final?.body.toString() ?? '')).toEqual({ a: 1 })
  })

  it('answers any other Expect with a JSON 417', async () => {
    const request = 'GET /items/1 HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nConnection: close\r\n\r\n'
    const [res] = parseResponses(
      (await exchange(target.port, request, { ca, until: count(1) })).received,
    ).responses
    expect(res?.status).toBe(417)
    expect(JSON.parse(res?.body.toString() ?? '')).toMatchObject({ code: 'ERR_EXPECTATION_FAILED' })
  })

  it('sends a chunked body of unknown length with valid chunked framing', async () => {
    const request = 'GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
    const [res] = parseResponses(
      (await exchange(target.port, request, { ca, until: count(1) })).received,
    ).responses
    expect(res?.framing).toBe('chunked')
    expect(res?.body.toString()).toBe('abc')
  })

  if (name === 'uws') {
    // uWS aborts request 1 when request 2 arrives before an awaiting handler answered (upstream #1301).
    it('answers pipelined requests to synchronous routes in order (awaiting routes: see docs/cores.md)', async () => {
      const get = (id: number): string => `GET /items/${id} HTTP/1.1\r\nHost: x\r\n\r\n`
      const result = await exchange(target.port, get(1) + get(2) + get(3), { until: count(3) })
      const ids = parseResponses(result.received).responses.map((r) => JSON.parse(r.body.toString()).id)
      expect(ids).toEqual(['1', '2', '3'])
    })

    // The C++ parser drops requests of more than ~47 header lines without a response (UWS-NOTES).
    it('leaves a request of 60 header lines unanswered (parser limit), and keeps serving', async () => {
      const lines = Array.from({ length: 60 }, (_, i) => `X-H${i}: ${i}\r\n`).join('')
      const result = await exchange(target.port, `GET /items/1 HTTP/1.1\r\nHost: x\r\n${lines}\r\n`, {
        until: count(1),
        timeoutMs: 1500,
      })
      expect(result.received.length).toBe(0)
      expect((await target.send({ path: '/items/1' })).status).toBe(200)
    })
  } else {
    it('answers pipelined requests to awaiting handlers completely and in order (RFC 9112 §9.3.2)', async () => {
      const slow = (ms: number): string => `GET /slow?ms=${ms} HTTP/1.1\r\nHost: x\r\n\r\n`
      const result = await exchange(target.port, slow(80) + slow(10) + slow(40), { ca, until: count(3) })
      const bodies = parseResponses(result.received).responses.map((r) => JSON.parse(r.body.toString()))
      expect(bodies).toEqual([{ slept: 80 }, { slept: 10 }, { slept: 40 }])
    })

    it('answers 60 header lines', async () => {
      const lines = Array.from({ length: 60 }, (_, i) => `X-H${i}: ${i}\r\n`).join('')
      const request = `GET /items/1 HTTP/1.1\r\nHost: x\r\n${lines}Connection: close\r\n\r\n`
      const [res] = parseResponses(
        (await exchange(target.port, request, { ca, until: count(1) })).received,
      ).responses
      expect(res?.status).toBe(200)
    })

    it('answers an HTTP/1.0 request and closes the connection', async () => {
      const result = await exchange(target.port, 'GET /items/1 HTTP/1.0\r\n\r\n', { ca })
      expect(result.ended).toBe('closed')
      const [res] = parseResponses(result.received, { closed: true }).responses
      expect(res?.status).toBe(200)
      expect(res?.body.toString()).toBe('{"id":"1"}')
    })
  }
})

describe('the node:https core with a short header deadline', () => {
  const app = conformanceApp()
  let port: number

  beforeAll(async () => {
    const { key, cert } = await testCertificate()
    port = (await app.listen({ port: 0, signals: false, tls: { key, cert }, headersTimeoutMs: 800 })).port
  })

  afterAll(() => app.close())

  it('answers 408 and closes a TLS connection whose header block trickles past headersTimeoutMs', async () => {
    const { cert } = await testCertificate()
    const started = Date.now()
    // Never finishes the header block; Node's deadline is checked every second.
    const result = await exchange(port, 'GET /items/1 HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n', {
      ca: cert,
      timeoutMs: 5000,
    })
    expect(result.ended).toBe('closed')
    expect(Date.now() - started).toBeLessThan(4500)
    expect(result.received.toString('latin1')).toMatch(/^HTTP\/1\.1 408 /)
  })
})
