/**
 * RedisBroker against a real redis-server: the Broker contract, then two apps (two uWS listeners in this
 * process, each with its own RedisBroker) sharing topics and channels, binary-safe, without echo; app.close()
 * closing the Redis connections; and Redis going away while the apps keep serving.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createApp, RedisBroker, type App } from '../../../src/index.js'
import { startRedis, type RedisServer } from '../helpers/redis.js'
import { captureLogs, LEVEL, waitUntil, within, type LogLine } from '../helpers/server.js'
import { brokerContract } from '../../unit/pubsub/broker-contract.js'
import { quietFor, TestClient } from './ws-client.js'

let redis: RedisServer
const brokers: RedisBroker[] = []

beforeAll(async () => {
  redis = await startRedis()
})

afterAll(async () => {
  await Promise.all(brokers.map((b) => b.close()))
  await redis?.stop()
})

brokerContract('RedisBroker', async () => {
  // Both on one fresh prefix, so the contract tests do not see each other's messages.
  const prefix = `contract-${Math.random()}:`
  const a = new RedisBroker({ url: redis.url, prefix })
  const b = new RedisBroker({ url: redis.url, prefix })
  brokers.push(a, b)
  return { a, b }
})

const Command = z.discriminatedUnion('op', [
  z.object({ op: z.literal('publish'), topic: z.string(), text: z.string() }),
  z.object({ op: z.literal('say'), text: z.string() }),
  z.object({ op: z.literal('dm'), to: z.string(), text: z.string() }),
])

/** An app with topic and room routes, on its own RedisBroker. */
async function startApp(name: string): Promise<{ app: App; base: string; url: string; lines: LogLine[] }> {
  const { logger, lines } = captureLogs('info')
  const broker = new RedisBroker({ url: redis.url, redis: { connectionName: name } })
  const app = createApp({ logger, broker })
  app.ws('/topic/:name', {
    open: (ws) => {
      ws.subscribe(ws.params.name)
      ws.send({ id: ws.id })
    },
  })
  app.ws('/rooms/:room', {
    schema: Command,
    open: (ws) => {
      app.channels.join(ws.params.room, ws)
      ws.send({ id: ws.id })
    },
    message: (ws, command) => {
      if (command.op === 'publish') ws.publish(command.topic, command.text)
      else if (command.op === 'say') app.channels.broadcast(ws.params.room, command.text, { except: ws })
      else app.channels.send(command.to, command.text)
    },
  })
  app.get('/health', () => ({ ok: true }))
  app.post('/broadcast/:group', async (ctx) => {
    const except = ctx.query.get('except') ?? undefined
    return { ok: app.channels.broadcast(ctx.params.group, await ctx.req.text(), { except }) }
  })
  app.post('/publish/:topic', async (ctx) => ({ ok: app.publish(ctx.params.topic, await ctx.req.text()) }))
  const info = await app.listen({ port: 0, signals: false })
  return { app, base: `ws://127.0.0.1:${info.port}`, url: info.url, lines }
}

/** Opens a client and reads its `{ id }` greeting. */
async function connect(url: string): Promise<{ client: TestClient; id: string }> {
  const client = await TestClient.open(url)
  const { id } = (await client.json()) as { id: string }
  return { client, id }
}

describe('two apps sharing topics through RedisBroker', () => {
  let a: Awaited<ReturnType<typeof startApp>>
  let b: Awaited<ReturnType<typeof startApp>>

  beforeAll(async () => {
    a = await startApp('swiftlet-a')
    b = await startApp('swiftlet-b')
  })

  afterAll(async () => {
    await a?.app.close()
    await b?.app.close()
  })

  it('delivers app.publish on A once to the subscribers of A and of B', async () => {
    const onA = await connect(`${a.base}/topic/news`)
    const onB = await connect(`${b.base}/topic/news`)
    const other = await connect(`${b.base}/topic/sport`)
    expect(a.app.publish('news', { headline: 'hi' })).toBe(true)
    expect(await onA.client.json()).toEqual({ headline: 'hi' })
    expect(await onB.client.json()).toEqual({ headline: 'hi' })
    // Once each: A's own message came back from Redis and was dropped, not delivered twice.
    expect(await quietFor(onA.client, 2, 300)).toBe(true)
    expect(await quietFor(onB.client, 2, 0)).toBe(true)
    expect(other.client.messages).toHaveLength(1)
    await Promise.all([onA, onB, other].map((c) => c.client.close()))
  })

  it('keeps binary messages binary and byte-exact across processes', async () => {
    const onA = await connect(`${a.base}/topic/bytes`)
    const onB = await connect(`${b.base}/topic/bytes`)
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i))
    b.app.publish('bytes', bytes)
    for (const c of [onA, onB]) {
      const got = await c.client.next()
      expect(Buffer.isBuffer(got)).toBe(true)
      expect((got as Buffer).equals(bytes)).toBe(true)
    }
    await Promise.all([onA, onB].map((c) => c.client.close()))
  })

  it('sends ws.publish from a connection on A to every other subscriber on A and B, not to itself', async () => {
    const sender = await connect(`${a.base}/rooms/lobby`)
    const onA = await connect(`${a.base}/topic/chat`)
    const onB = await connect(`${b.base}/topic/chat`)
    sender.client.send(JSON.stringify({ op: 'publish', topic: 'chat', text: 'from a socket' }))
    expect(await onA.client.next()).toBe('from a socket')
    expect(await onB.client.next()).toBe('from a socket')
    expect(await quietFor(sender.client, 1, 300)).toBe(true)
    expect(await quietFor(onA.client, 2, 0)).toBe(true)
    await Promise.all([sender, onA, onB].map((c) => c.client.close()))
  })

  it('broadcasts to a channel on both apps except the sender, and sends to one connection on the other app', async () => {
    const sender = await connect(`${a.base}/rooms/r1`)
    const peerA = await connect(`${a.base}/rooms/r1`)
    const peerB = await connect(`${b.base}/rooms/r1`)
    const elsewhere = await connect(`${b.base}/rooms/r2`)
    sender.client.send(JSON.stringify({ op: 'say', text: 'hello room' }))
    expect(await peerA.client.next()).toBe('hello room')
    expect(await peerB.client.next()).toBe('hello room')
    sender.client.send(JSON.stringify({ op: 'dm', to: elsewhere.id, text: 'just you' }))
    expect(await elsewhere.client.next()).toBe('just you')
    expect(await quietFor(sender.client, 1, 300)).toBe(true)
    expect(await quietFor(peerA.client, 2, 0)).toBe(true)
    expect(await quietFor(peerB.client, 2, 0)).toBe(true)
    expect(await quietFor(elsewhere.client, 2, 0)).toBe(true)
    // An excepted id is honoured in the process that has the connection, not only in the publisher's.
    const res = await fetch(`${a.url}/broadcast/r1?except=${peerB.id}`, {
      method: 'POST',
      body: 'not to peerB',
    })
    expect(await res.json()).toEqual({ ok: true })
    expect(await sender.client.next()).toBe('not to peerB')
    expect(await peerA.client.next()).toBe('not to peerB')
    expect(await quietFor(peerB.client, 2, 300)).toBe(true)
    // Membership lists are per process.
    expect(a.app.channels.groups().find((g) => g.name === 'r1')).toEqual({ name: 'r1', members: 2 })
    expect(b.app.channels.groups().find((g) => g.name === 'r1')).toEqual({ name: 'r1', members: 1 })
    await Promise.all([sender, peerA, peerB, elsewhere].map((c) => c.client.close()))
  })
})

/** The names of the connections Redis currently has. */
async function clientNames(): Promise<string[]> {
  const admin = new Redis(redis.url)
  try {
    const list = (await admin.client('LIST')) as string
    return [...list.matchAll(/ name=(\S*)/g)].map((m) => m[1] as string)
  } finally {
    admin.disconnect()
  }
}

/** Polls an async condition every 20 ms. @throws Error naming `what` after `timeoutMs`. */
async function eventually(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Starts redis-server again on the port of the one stopped (the brokers reconnect to that address). */
function restartRedis(port: number): ChildProcess {
  const dir = mkdtempSync(join(tmpdir(), 'swiftlet-redis-again-'))
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  )
  child.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  return child
}

const COUNT_OF = (lines: LogLine[], msg: string): number => lines.filter((l) => l.msg === msg).length
const FAILED = 'broker: Redis connection failed; reconnecting'
const BACK = 'broker: Redis connection back'

describe('RedisBroker lifecycle', () => {
  let again: ChildProcess | undefined

  afterAll(async () => {
    if (again && again.exitCode === null) {
      const exited = new Promise((resolve) => again?.once('exit', resolve))
      again.kill('SIGTERM')
      await exited
    }
  })

  it('opens a publishing and a subscribing connection, and app.close() closes both', async () => {
    const c = await startApp('swiftlet-c')
    c.app.publish('warm', 'up')
    const named = async (): Promise<number> => (await clientNames()).filter((n) => n === 'swiftlet-c').length
    await eventually(async () => (await named()) === 2, 5000, 'two connections named swiftlet-c')
    await c.app.close()
    await eventually(async () => (await named()) === 0, 5000, 'the connections to close')
  })

  it('logs Redis going away once, keeps serving HTTP and local WebSockets, then reconnects and resubscribes', async () => {
    const d = await startApp('swiftlet-d')
    const e = await startApp('swiftlet-e')
    const local = await connect(`${d.base}/topic/alerts`)
    const remote = await connect(`${e.base}/topic/alerts`)
    await redis.stop()
    await waitUntil(() => COUNT_OF(d.lines, FAILED) > 0, 10_000, 'the broker error line')
    expect(d.lines.find((l) => l.msg === FAILED)?.level).toBe(LEVEL.error)

    const res = await fetch(`${d.url}/health`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ ok: true })
    const published = await fetch(`${d.url}/publish/alerts`, { method: 'POST', body: 'still local' })
    expect(await published.json()).toEqual({ ok: true })
    expect(await local.client.next()).toBe('still local')
    // The publish that could not reach Redis is logged (once), after ioredis gave up on it.
    await waitUntil(
      () => d.lines.some((l) => l.msg.startsWith('broker: publish failed')),
      10_000,
      'the publish failure line',
    )
    // A reconnect loop logs the first failure per connection, not one line per attempt.
    await new Promise((resolve) => setTimeout(resolve, 1000))
    expect(COUNT_OF(d.lines, FAILED)).toBeLessThanOrEqual(2)

    again = restartRedis(redis.port)
    const back = (lines: LogLine[], role: string): boolean =>
      lines.some((l) => l.msg === BACK && l.role === role)
    // E never published: it has no publishing connection, only the subscribing one.
    await waitUntil(
      () => back(d.lines, 'publisher') && back(d.lines, 'subscriber') && back(e.lines, 'subscriber'),
      15_000,
      'reconnects',
    ).catch((err: Error) => {
      throw new Error(
        `${err.message}: ${JSON.stringify([...d.lines, ...e.lines].filter((l) => String(l.msg).startsWith('broker')))}`,
      )
    })
    // ioredis re-subscribed E's subscriber: messages from D flow again.
    d.app.publish('alerts', 'after the outage')
    expect(await local.client.next()).toBe('after the outage')
    expect(await remote.client.next()).toBe('after the outage')
    expect(remote.client.messages.filter((m) => m === 'still local')).toEqual([])

    await within(Promise.all([d.app.close(), e.app.close()]), 5000, 'app.close()')
    expect((await local.client.closed).code).toBeGreaterThan(0)
  })

  it('closes promptly while Redis is unreachable', async () => {
    const broker = new RedisBroker({ url: 'redis://127.0.0.1:1', subscribeTimeoutMs: 200 })
    const { logger, lines } = captureLogs('info')
    const app = createApp({ logger, broker })
    app.get('/health', () => 'ok')
    const info = await app.listen({ port: 0, signals: false })
    expect(
      lines.some((l) => l.level === LEVEL.warn && l.msg.startsWith('broker: Redis not reachable yet')),
    ).toBe(true)
    expect((await fetch(`${info.url}/health`)).status).toBe(200)
    await within(app.close(), 3000, 'app.close()')
  })
})
