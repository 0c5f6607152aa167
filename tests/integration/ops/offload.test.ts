import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from 'node:net'
import type { App, OffloadPool } from '../../../src/index.js'
import { buildApp } from '../../../examples/offload/app.js'
import { waitUntil } from '../helpers/server.js'

describe('offload example over HTTP', () => {
  let app: App
  let pool: OffloadPool
  let base: string
  let port: number

  beforeAll(async () => {
    ;({ app, pool } = buildApp({ logger: false, threads: 1, maxQueue: 1 }))
    const info = await app.listen({ port: 0, signals: false })
    base = info.url.replace(/\/$/, '')
    port = info.port
  })
  afterAll(() => app.close())

  it('keeps answering other routes while offloaded CPU work runs', async () => {
    const order: string[] = []
    const busy = fetch(`${base}/spin/600`).then(async (res) => {
      order.push('spin')
      return { status: res.status, body: (await res.json()) as { spentMs: number } }
    })
    await waitUntil(() => app.stats().inFlight === 1, 5000, 'the CPU route to be in flight')
    const pings: number[] = []
    for (let i = 0; i < 3; i++) pings.push((await fetch(`${base}/ping`)).status)
    order.push('ping')
    const spin = await busy
    expect(pings).toEqual([200, 200, 200])
    expect(spin.status).toBe(200)
    expect(spin.body.spentMs).toBeGreaterThanOrEqual(600)
    // The pings were answered while the worker was still busy with the CPU route.
    expect(order).toEqual(['ping', 'spin'])
  })

  it('computes the same digest inline and offloaded', async () => {
    const inline = (await (await fetch(`${base}/inline?rounds=500`)).json()) as { digest: string }
    const offloaded = (await (await fetch(`${base}/offload?rounds=500`)).json()) as { digest: string }
    expect(offloaded.digest).toMatch(/^[0-9a-f]{64}$/)
    expect(offloaded.digest).toBe(inline.digest)
  })

  it('answers 503 with Retry-After once the worker and the queue are full', async () => {
    const responses = await Promise.all([0, 1, 2, 3].map(() => fetch(`${base}/spin/300`)))
    const statuses = responses.map((res) => res.status)
    expect(statuses).toContain(200)
    expect(statuses).toContain(503)
    const bodies = await Promise.all(responses.map((res) => res.json() as Promise<Record<string, unknown>>))
    const refused = statuses.indexOf(503)
    expect(responses[refused]?.headers.get('retry-after')).toBe('1')
    expect(bodies[refused]).toMatchObject({ status: 503, code: 'ERR_SERVICE_UNAVAILABLE' })
  })

  it('cancels the task of a client that disconnects (ctx.signal)', async () => {
    const socket = connect(port, '127.0.0.1')
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
    // 5 s of CPU in the only worker thread.
    socket.write('GET /spin/5000 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
    await waitUntil(() => pool.stats().outstanding === 1, 5000, 'the task to be submitted')
    socket.destroy()
    // The task leaves the pool long before its 5 s are up: its thread was terminated, not waited for.
    await waitUntil(() => pool.stats().outstanding === 0, 2500, 'the task to be cancelled')
    const next = await fetch(`${base}/spin/5`)
    expect(next.status).toBe(200)
    expect(await next.json()).toMatchObject({ spentMs: expect.any(Number) })
  })
})
