import { describe, expect, it } from 'vitest'
import { createApp, health } from '../../../src/index.js'

describe('health()', () => {
  it('answers liveness and readiness, never cached', async () => {
    const app = createApp({ logger: false })
    health(app)
    const live = await app.inject('/health')
    expect(live.status).toBe(200)
    expect(live.json()).toEqual({ status: 'ok' })
    expect(live.headers['cache-control']).toBe('no-store')
    const ready = await app.inject('/ready')
    expect(ready.status).toBe(200)
    expect(ready.json()).toEqual({ status: 'ready' })
    expect(ready.headers['cache-control']).toBe('no-store')
  })

  it('answers 503 while the check says not ready, and 200 once it does', async () => {
    const app = createApp({ logger: false })
    let warm = false
    health(app, { path: '/livez', readyPath: '/readyz', ready: async () => warm })
    expect((await app.inject('/livez')).status).toBe(200)
    const cold = await app.inject('/readyz')
    expect(cold.status).toBe(503)
    expect(cold.json()).toEqual({ status: 'not ready' })
    warm = true
    expect((await app.inject('/readyz')).status).toBe(200)
  })

  it('counts a check that throws or hangs as not ready', async () => {
    const throwing = createApp({ logger: false })
    health(throwing, {
      ready: () => {
        throw new Error('database down')
      },
    })
    expect((await throwing.inject('/ready')).status).toBe(503)
    const hanging = createApp({ logger: false })
    health(hanging, { ready: () => new Promise<boolean>(() => {}), timeoutMs: 50 })
    const res = await hanging.inject('/ready')
    expect(res.status).toBe(503)
    expect(res.json()).toEqual({ status: 'not ready' })
  })

  it('can leave out the liveness route', async () => {
    const app = createApp({ logger: false })
    health(app, { path: false })
    expect((await app.inject('/health')).status).toBe(404)
    expect((await app.inject('/ready')).status).toBe(200)
  })
})
