/**
 * The same app on both plain socket cores (uWebSockets.js and node:http): what a user relies on must not
 * depend on the core. The full table over every core (node:https and node:http2 included) is the conformance
 * suite, tests/conformance/; the differences are listed in docs/cores.md.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, HttpError, type App } from '../../src/index.js'
import { onlyResponse, parseResponses } from './helpers/http-parse.js'
import { rawRequest } from './helpers/raw-socket.js'
import { waitUntil } from './helpers/server.js'

const CORES = [
  { core: 'uws', name: 'uWebSockets.js native' },
  { core: 'node', name: 'node:http' },
] as const

describe.each(CORES)('the $core core', ({ core, name }) => {
  let app: App
  let base: string
  let port: number
  let aborted = 0

  beforeAll(async () => {
    app = createApp({ logger: false, limits: { body: 1024 } })
    app.use(async function poweredBy(ctx, next) {
      await next()
      ctx.header('x-powered-by', 'swiftlet')
    })
    app.get('/items/:id', (ctx) => ({ id: ctx.params.id }))
    app.post('/echo', async (ctx) => {
      ctx.status(201)
      return ctx.req.json()
    })
    app.get('/teapot', () => {
      throw new HttpError(418, 'short and stout')
    })
    app.get('/slow', async (ctx) => {
      ctx.signal.addEventListener('abort', () => aborted++)
      await sleep(2000)
      return 'late'
    })
    const info = await app.listen({ port: 0, signals: false, core })
    expect(info.core).toBe(name)
    port = info.port
    base = info.url
  })

  afterAll(() => app.close())

  it('routes, decodes params and runs app middleware after next()', async () => {
    const res = await fetch(`${base}/items/a%2Fb`)
    expect(res.status).toBe(200)
    expect(res.headers.get('x-powered-by')).toBe('swiftlet')
    expect(await res.json()).toEqual({ id: 'a/b' })
  })

  it('answers 404 and 405 with JSON, Allow, and the middleware header', async () => {
    const missing = await fetch(`${base}/nope`)
    expect(missing.status).toBe(404)
    expect(missing.headers.get('x-powered-by')).toBe('swiftlet')
    expect(await missing.json()).toMatchObject({ status: 404, code: 'ERR_NOT_FOUND' })
    const wrong = await fetch(`${base}/items/1`, { method: 'DELETE' })
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toBe('GET, HEAD, OPTIONS')
  })

  it('reads a JSON body and refuses one over the limit with 413', async () => {
    const ok = await fetch(`${base}/echo`, { method: 'POST', body: '{"a":1}' })
    expect(ok.status).toBe(201)
    expect(await ok.json()).toEqual({ a: 1 })
    const big = await fetch(`${base}/echo`, { method: 'POST', body: JSON.stringify({ a: 'x'.repeat(2000) }) })
    expect(big.status).toBe(413)
    expect(await big.json()).toMatchObject({ code: 'ERR_BODY_TOO_LARGE' })
  })

  it('answers HEAD from the GET route with its Content-Length and no body, keeping the connection framed', async () => {
    const request = (method: string): string => `${method} /items/7 HTTP/1.1\r\nHost: x\r\n\r\n`
    const result = await rawRequest(port, request('HEAD') + request('GET'), {
      until: (data) => parseResponses(data, { headResponses: [0] }).responses.length >= 2,
    })
    const { responses } = parseResponses(result.received, { headResponses: [0] })
    expect(responses.map((r) => r.status)).toEqual([200, 200])
    expect(responses[0]?.get('content-length')).toBe('10')
    expect(responses[0]?.body.length).toBe(0)
    expect(responses[1]?.body.toString()).toBe('{"id":"7"}')
  })

  it('turns an HttpError into its status with a JSON body', async () => {
    const res = await fetch(`${base}/teapot`)
    expect(res.status).toBe(418)
    expect(await res.json()).toMatchObject({ status: 418, message: 'short and stout' })
  })

  it('fires ctx.signal when the client leaves during an await, and keeps serving', async () => {
    const before = aborted
    const result = await rawRequest(port, 'GET /slow HTTP/1.1\r\nHost: x\r\n\r\n', { timeoutMs: 200 })
    expect(result.ended).toBe('timeout') // we hung up before the answer
    await waitUntil(() => aborted === before + 1, 2000, 'the abort signal')
    const res = onlyResponse(
      (await rawRequest(port, 'GET /items/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).received,
    )
    expect(res.status).toBe(200)
  })
})
