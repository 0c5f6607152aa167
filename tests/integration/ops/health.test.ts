import { describe, expect, it } from 'vitest'
import { createApp, health } from '../../../src/index.js'
import { waitUntil } from '../helpers/server.js'

describe('readiness during shutdown', () => {
  it('answers 503 "shutting down" from the moment close() begins, while requests drain', async () => {
    const app = createApp({ logger: false })
    health(app)
    let release = (): void => {}
    const gate = new Promise<void>((resolve) => (release = resolve))
    app.get('/slow', async () => {
      await gate
      return { done: true }
    })
    const { url } = await app.listen({ port: 0, signals: false })
    const base = url.replace(/\/$/, '')
    expect((await fetch(`${base}/ready`)).status).toBe(200)

    const slow = fetch(`${base}/slow`)
    await waitUntil(() => app.stats().inFlight === 1, 5000, 'the slow request')
    const closed = app.close()
    const during = await app.inject('/ready')
    expect(during.status).toBe(503)
    expect(during.json()).toEqual({ status: 'shutting down' })
    expect((await app.inject('/health')).status).toBe(200)

    release()
    expect((await slow).status).toBe(200)
    await closed
  })
})
