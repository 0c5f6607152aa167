import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../src/index.js'
import { FixtureProcess } from './helpers/child.js'
import { RawConnection } from './helpers/raw-socket.js'
import { finalResponses, hasResponses } from './helpers/http-parse.js'
import { captureLogs, get, LEVEL, listen, waitUntil, within } from './helpers/server.js'

/** Resolves with the connection error code, or 'connected'. */
async function connectOutcome(port: number): Promise<string> {
  try {
    const conn = await RawConnection.open(port, 2000)
    conn.destroy()
    return 'connected'
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err)
  }
}

describe('graceful shutdown', () => {
  let app: App | undefined
  let fixture: FixtureProcess | undefined

  afterEach(async () => {
    await app?.close()
    app = undefined
    await fixture?.stop()
    fixture = undefined
  })

  it('lets an in-flight request finish with 200, refuses new connections, then runs onShutdown hooks', async () => {
    const events: string[] = []
    app = createApp({ logger: false })
    app.get('/slow', async () => {
      events.push('handler started')
      await sleep(300)
      events.push('handler finished')
      return { done: true }
    })
    app.onShutdown(() => void events.push('shutdown hook'))
    const { port, url } = await listen(app)

    const pending = fetch(`${url}/slow`)
    await waitUntil(() => events.includes('handler started'), 5000, 'the handler to start')
    const closed = app.close()
    // The listen socket is closed at once: nobody new gets in while the drain runs.
    expect(await connectOutcome(port)).toBe('ECONNREFUSED')

    const res = await pending
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ done: true })
    expect(res.headers.get('connection')).toBe('close')
    await within(closed, 5000, 'app.close()')
    expect(events).toEqual(['handler started', 'handler finished', 'shutdown hook'])
    expect(await connectOutcome(port)).toBe('ECONNREFUSED')
  })

  it('answers a keep-alive client that asks during the drain with Connection: close, and closes idle connections', async () => {
    let started = false
    app = createApp({ logger: false })
    app.get('/health', () => ({ status: 'ok' }))
    app.get('/slow', async () => {
      started = true
      await sleep(300)
      return { done: true }
    })
    const { port, url } = await listen(app)
    const busy = await RawConnection.open(port)
    const idle = await RawConnection.open(port)
    try {
      await idle.write(get('/health'))
      expect(await idle.waitFor(hasResponses(1), 3000)).toBe(true)
      await busy.write(get('/health'))
      expect(await busy.waitFor(hasResponses(1), 3000)).toBe(true)

      const pending = fetch(`${url}/slow`)
      await waitUntil(() => started, 5000, 'the slow handler to start')
      const closed = app.close()
      await busy.write(get('/health'))
      expect(await busy.waitFor(hasResponses(2), 3000)).toBe(true)
      const second = finalResponses(busy.received)[1]
      expect(second?.status).toBe(200)
      expect(second?.get('connection')).toBe('close')
      expect((await pending).status).toBe(200)
      await within(closed, 5000, 'app.close()')
      // The idle keep-alive connection does not hold the shutdown open: it is closed.
      expect(await idle.waitForClose(2000)).toBe(true)
    } finally {
      busy.destroy()
      idle.destroy()
    }
  })

  it('resolves close() within about a second when the 100 ms deadline passes with a 5 s handler in flight', async () => {
    const { logger, lines } = captureLogs('info')
    let signalled = false
    let started = false
    app = createApp({ logger })
    app.get('/very-slow', async (ctx) => {
      started = true
      ctx.signal.addEventListener('abort', () => (signalled = true))
      await sleep(5000, undefined, { signal: ctx.signal })
      return { done: true }
    })
    let hookRan = false
    app.onShutdown(() => void (hookRan = true))
    const { url } = await listen(app)

    const pending = fetch(`${url}/very-slow`).then(
      (res) => `status ${res.status}`,
      () => 'connection closed',
    )
    await waitUntil(() => started, 5000, 'the handler to start')
    await within(app.close(100), 1500, 'app.close(100)')
    expect(hookRan).toBe(true)
    expect(await within(pending, 2000, 'the client')).toBe('connection closed')
    expect(signalled).toBe(true)
    const warning = lines.find((l) => l.level === LEVEL.warn && /deadline/.test(l.msg))
    expect(warning).toMatchObject({ inFlight: 1, timeoutMs: 100 })
  })

  it('exits 0 on SIGTERM after finishing the in-flight request (child process)', async () => {
    fixture = new FixtureProcess('graceful-app.ts')
    const listening = await fixture.waitForLine((l) => l.event === 'listening', 20_000)
    const pending = fetch(`http://127.0.0.1:${String(listening.port)}/slow`)
    await fixture.waitForLine((l) => l.event === 'handler-start', 5000)
    fixture.kill('SIGTERM')

    const res = await pending
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ done: true })
    const exit = await fixture.waitForExit(10_000)
    expect(exit).toEqual({ code: 0, signal: null })
    const order = fixture.lines.map((l) => l.event)
    expect(order).toEqual(['listening', 'handler-start', 'handler-end', 'shutdown-hook'])
  })
})
