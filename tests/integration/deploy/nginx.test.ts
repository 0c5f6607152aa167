/**
 * Two Swiftlet instances (child processes) on loopback behind a real nginx with the config of docs/deploy.md:
 * requests are balanced, a WebSocket is proxied, and stopping one instance with SIGTERM while a steady stream
 * of requests (half of them 300 ms slow) flows loses none: the instance drains what it holds, nginx sends the
 * rest to the other one. Missing nginx fails the test.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { FixtureProcess } from '../helpers/child.js'
import { startNginx, type Nginx } from './nginx.js'

interface Outcome {
  path: string
  startedAt: number
  endedAt: number
  status: number
  instance: string | undefined
  error: string | undefined
}

/** One request through nginx, never throwing: what a client saw. */
async function request(base: string, path: string): Promise<Outcome> {
  const startedAt = Date.now()
  try {
    const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(10_000) })
    const text = await res.text()
    let instance: string | undefined
    try {
      instance = (JSON.parse(text) as { instance?: string }).instance
    } catch {
      instance = undefined
    }
    const error = res.status === 200 && instance !== undefined ? undefined : `status ${res.status}: ${text}`
    return { path, startedAt, endedAt: Date.now(), status: res.status, instance, error }
  } catch (err) {
    return { path, startedAt, endedAt: Date.now(), status: 0, instance: undefined, error: String(err) }
  }
}

async function startInstance(name: string): Promise<{ fixture: FixtureProcess; port: number }> {
  const fixture = new FixtureProcess('deploy-instance.ts', [name])
  const line = await fixture.waitForLine((l) => l.event === 'listening', 20_000)
  return { fixture, port: Number(line.port) }
}

describe('two instances behind nginx', () => {
  let one: { fixture: FixtureProcess; port: number }
  let two: { fixture: FixtureProcess; port: number }
  let nginx: Nginx

  beforeAll(async () => {
    ;[one, two] = await Promise.all([startInstance('one'), startInstance('two')])
    nginx = await startNginx([one.port, two.port])
  }, 40_000)

  afterAll(async () => {
    await nginx?.stop()
    await Promise.all([one?.fixture.stop(), two?.fixture.stop()])
  })

  it('balances requests across both instances, roughly evenly', async () => {
    const seen = { one: 0, two: 0 }
    for (let i = 0; i < 40; i++) {
      const outcome = await request(nginx.url, '/whoami')
      expect(outcome.error).toBeUndefined()
      seen[outcome.instance as 'one' | 'two']++
    }
    expect(seen.one + seen.two).toBe(40)
    expect(seen.one).toBeGreaterThanOrEqual(12)
    expect(seen.two).toBeGreaterThanOrEqual(12)
    const log = nginx.accessLog()
    expect(log).toContain(`upstream=127.0.0.1:${one.port}`)
    expect(log).toContain(`upstream=127.0.0.1:${two.port}`)
  })

  it('proxies a WebSocket to one instance (Upgrade and Connection forwarded)', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${nginx.port}/ws`)
    const messages: string[] = []
    const received = (count: number): Promise<void> =>
      new Promise((resolve, reject) => {
        const check = (): void => void (messages.length >= count && resolve())
        ws.on('message', (data: Buffer) => {
          messages.push(data.toString())
          check()
        })
        ws.on('error', reject)
        check()
        setTimeout(() => reject(new Error(`only ${messages.length} messages: ${messages.join()}`)), 5000)
      })
    try {
      const hello = received(1)
      await hello
      ws.send('ping')
      await received(2)
      const [greeting, echo] = messages
      const name = greeting?.split(':')[0]
      expect(['one', 'two']).toContain(name)
      expect(greeting).toBe(`${name}:hello`)
      expect(echo).toBe(`${name}:ping`)
    } finally {
      ws.close()
    }
  })

  it('loses no request when one instance gets SIGTERM under a steady stream with 300 ms requests; the other takes all traffic', async () => {
    const outcomes: Outcome[] = []
    let running = true
    const loop = async (n: number): Promise<void> => {
      for (let i = 0; running && i < 2000; i++) {
        outcomes.push(await request(nginx.url, (i + n) % 2 === 0 ? '/slow' : '/whoami'))
      }
    }
    const loops = Array.from({ length: 8 }, (_, n) => loop(n))
    await sleep(1000)
    const signalAt = Date.now()
    one.fixture.kill('SIGTERM')
    const exit = await one.fixture.waitForExit(10_000)
    const exitedAt = Date.now()
    await sleep(1500)
    running = false
    await Promise.all(loops)

    const failures = outcomes.filter((o) => o.error !== undefined)
    expect(failures, JSON.stringify(failures.slice(0, 5))).toEqual([])
    expect(exit).toEqual({ code: 0, signal: null })
    // The stopped instance finished what it held: slow requests it answered after the signal.
    const drained = outcomes.filter(
      (o) => o.instance === 'one' && o.startedAt < signalAt && o.endedAt > signalAt,
    )
    expect(drained.length).toBeGreaterThan(0)
    expect(one.fixture.lines.some((l) => l.event === 'drained')).toBe(true)
    // After it left, every request went to the other instance.
    const after = outcomes.filter((o) => o.startedAt > exitedAt)
    expect(after.length).toBeGreaterThan(20)
    expect(new Set(after.map((o) => o.instance))).toEqual(new Set(['two']))
    expect(outcomes.filter((o) => o.startedAt < signalAt && o.instance === 'one').length).toBeGreaterThan(0)
  }, 30_000)
})
