import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../src/index.js'
import { hasResponses, onlyResponse } from './helpers/http-parse.js'
import { rawRequest } from './helpers/raw-socket.js'
import { get, listen } from './helpers/server.js'

describe('routing over a real socket', () => {
  let app: App
  let port: number
  let base: string
  let handlerRuns = 0

  beforeAll(async () => {
    app = createApp({ logger: false })
    app.get('/health', () => ({ status: 'ok' }))
    app.get('/items', () => {
      handlerRuns++
      return [{ id: 1 }]
    })
    app.post('/items', (ctx) => {
      handlerRuns++
      ctx.status(201)
      return { id: 2 }
    })
    app.get('/files/:name', (ctx) => ({ name: ctx.params.name }))
    app.get('/files/:dir/:name', (ctx) => ({ dir: ctx.params.dir, name: ctx.params.name }))
    app.get('/users/:name', (ctx) => ({ name: ctx.params.name }))
    ;({ port, url: base } = await listen(app))
  })

  afterAll(() => app.close())

  /** One raw request and its single response (malformed targets that fetch would rewrite). */
  async function raw(target: string, method = 'GET') {
    const result = await rawRequest(port, get(target, {}, method), { until: hasResponses(1) })
    return onlyResponse(result.received)
  }

  it('C01: DELETE /items answers 405 with Allow naming GET, HEAD, POST', async () => {
    const before = handlerRuns
    const res = await fetch(`${base}/items`, { method: 'DELETE' })
    expect(res.status).toBe(405)
    const allow = (res.headers.get('allow') ?? '').split(',').map((m) => m.trim())
    expect(allow).toEqual(expect.arrayContaining(['GET', 'HEAD', 'POST']))
    expect(allow).not.toContain('DELETE')
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await res.json()).toMatchObject({ status: 405, code: 'ERR_METHOD_NOT_ALLOWED' })
    expect(handlerRuns).toBe(before)
  })

  it('C01: OPTIONS /items answers 204 with the same Allow plus OPTIONS', async () => {
    const res = await fetch(`${base}/items`, { method: 'OPTIONS' })
    expect(res.status).toBe(204)
    const allow = (res.headers.get('allow') ?? '').split(',').map((m) => m.trim())
    expect(allow.sort()).toEqual(['GET', 'HEAD', 'OPTIONS', 'POST'])
    expect(await res.text()).toBe('')
  })

  it('C01: DELETE /nope answers 404 JSON', async () => {
    const res = await fetch(`${base}/nope`, { method: 'DELETE' })
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ status: 404, code: 'ERR_NOT_FOUND' })
  })

  it('C02: an encoded slash stays inside its parameter (/files/a%2Fb → name "a/b")', async () => {
    const res = await fetch(`${base}/files/a%2Fb`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ name: 'a/b' })
    // And over a raw socket, so no client library can have rewritten the target.
    const rawRes = await raw('/files/a%2Fb')
    expect(JSON.parse(rawRes.body.toString())).toEqual({ name: 'a/b' })
  })

  it('C02: a real slash separates parameters (/files/a/b → dir "a", name "b")', async () => {
    const res = await fetch(`${base}/files/a/b`)
    expect(await res.json()).toEqual({ dir: 'a', name: 'b' })
  })

  it('C03: percent-encoded UTF-8 params are decoded (João, "café bar")', async () => {
    const joao = await fetch(`${base}/users/Jo%C3%A3o`)
    expect(await joao.json()).toEqual({ name: 'João' })
    const cafe = await fetch(`${base}/users/caf%C3%A9%20bar`)
    expect(await cafe.json()).toEqual({ name: 'café bar' })
  })

  it.each(['/users/100%', '/users/%E2_7', '/users/%A0', '/users/%', '/users/%C3%28'])(
    'C03: malformed or non-UTF-8 escapes (%s) answer 400 JSON, never 500',
    async (target) => {
      const res = await raw(target)
      expect(res.status).toBe(400)
      expect(res.get('content-type')).toMatch(/^application\/json/)
      expect(JSON.parse(res.body.toString())).toMatchObject({ status: 400, code: 'ERR_MALFORMED_URI' })
    },
  )

  it('keeps serving GET /health after the malformed requests', async () => {
    const res = await fetch(`${base}/health`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok' })
  })
})
