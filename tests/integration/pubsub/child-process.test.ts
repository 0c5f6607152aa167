/**
 * Two processes sharing a topic through RedisBroker: this test process and a child (`fixture-app.ts`),
 * each with uWS clients; a message published in either arrives once on the clients of both. SIGTERM makes
 * the child close gracefully, Redis connections included.
 */
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, RedisBroker, type App } from '../../../src/index.js'
import { FixtureProcess } from '../helpers/child.js'
import { startRedis, type RedisServer } from '../helpers/redis.js'
import { quietFor, TestClient } from './ws-client.js'

describe('RedisBroker across two processes', () => {
  let redis: RedisServer
  let child: FixtureProcess
  let app: App
  let childUrl: string
  let base: string

  beforeAll(async () => {
    redis = await startRedis()
    child = new FixtureProcess('../pubsub/fixture-app.ts', [redis.url])
    app = createApp({ logger: false, broker: new RedisBroker({ url: redis.url }) })
    app.ws('/topic/:name', {
      open: (ws) => {
        ws.subscribe(ws.params.name)
        ws.send('ready')
      },
    })
    const info = await app.listen({ port: 0, signals: false })
    base = `ws://127.0.0.1:${info.port}`
    const listening = await child.waitForLine(
      (l) => typeof l.url === 'string' && l.msg === `listening on ${l.url}`,
      20_000,
    )
    childUrl = String(listening.url)
  })

  afterAll(async () => {
    await child?.stop()
    await app?.close()
    await redis?.stop()
  })

  it('delivers a message published in either process once to the clients of both', async () => {
    const here = await TestClient.open(`${base}/topic/news`)
    const there = await TestClient.open(`${childUrl.replace('http', 'ws')}/topic/news`)
    expect([await here.next(), await there.next()]).toEqual(['ready', 'ready'])
    app.publish('news', { from: 'parent' })
    expect(await here.json()).toEqual({ from: 'parent' })
    expect(await there.json()).toEqual({ from: 'parent' })
    const res = await fetch(`${childUrl}/publish/news`, { method: 'POST', body: 'from child' })
    expect(await res.json()).toEqual({ ok: true })
    expect(await here.next()).toBe('from child')
    expect(await there.next()).toBe('from child')
    expect(await quietFor(here, 3, 300)).toBe(true)
    expect(await quietFor(there, 3, 0)).toBe(true)
    await Promise.all([here.close(), there.close()])
  })

  it('closes the child gracefully on SIGTERM, its Redis connections included', async () => {
    child.kill('SIGTERM')
    expect(await child.waitForExit(10_000)).toEqual({ code: 0, signal: null })
    expect(child.lines.some((l) => l.msg === 'server closed')).toBe(true)
    const admin = new Redis(redis.url)
    try {
      // Redis notices closed connections on its next loop turn: poll, bounded.
      const deadline = Date.now() + 3000
      let list = (await admin.client('LIST')) as string
      while (list.includes('name=swiftlet-child') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20))
        list = (await admin.client('LIST')) as string
      }
      expect(list).not.toContain('name=swiftlet-child')
    } finally {
      admin.disconnect()
    }
  })
})
