import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, metrics, type App } from '../../../src/index.js'
import { waitUntil } from '../helpers/server.js'

describe('metrics over HTTP', () => {
  let app: App
  let base: string
  let port: number

  beforeAll(async () => {
    app = createApp({ logger: false })
    metrics(app)
    app.get('/slow/:n', async () => {
      await new Promise((resolve) => setTimeout(resolve, 200))
      return { done: true }
    })
    app.get('/items/:id', (ctx) => ({ id: ctx.params.id }))
    const info = await app.listen({ port: 0, signals: false })
    base = info.url.replace(/\/$/, '')
    port = info.port
  })
  afterAll(() => app.close())

  it('serves Prometheus text with the route pattern as label', async () => {
    for (const id of ['a', 'b', 'c']) expect((await fetch(`${base}/items/${id}`)).status).toBe(200)
    const res = await fetch(`${base}/metrics`)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const body = await res.text()
    expect(body).toContain('swiftlet_http_requests_total{route="/items/:id",method="GET",status="200"} 3')
  })

  it('counts a request whose client left before the answer as aborted', async () => {
    const socket = connect(port, '127.0.0.1')
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
    socket.write('GET /slow/1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
    await waitUntil(() => app.stats().inFlight === 1, 5000, 'the slow request')
    socket.destroy()
    await waitUntil(() => app.stats().inFlight === 0, 5000, 'the slow request to end')
    const body = await (await fetch(`${base}/metrics`)).text()
    expect(body).toContain('swiftlet_http_requests_aborted_total{route="/slow/:n",method="GET"} 1')
    // Nothing was sent to that client: it is not counted as answered, under any status.
    expect(body).not.toMatch(/swiftlet_http_requests_total\{route="\/slow\/:n"/)
    expect(body).not.toMatch(/swiftlet_http_request_duration_seconds_count\{route="\/slow\/:n"/)
  })
})
