/**
 * Graceful shutdown with open WebSockets (uWS core): every client gets a close frame 1001 "going away"
 * (RFC 6455 §7.4.1) with the reason, not an abrupt 1006; each route close handler runs once; close()
 * does not wait for the deadline. Real clients: undici's WebSocket; SIGTERM through a child process.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { WebSocket } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../src/index.js'
import { FixtureProcess } from './helpers/child.js'
import { rawRequest } from './helpers/raw-socket.js'
import { listen, waitUntil, within } from './helpers/server.js'

interface Closed {
  code: number
  reason: string
  wasClean: boolean
}

/** Opens a socket and resolves once its first message ('welcome') arrived. */
function connect(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url)
    ws.addEventListener('message', () => resolve(ws), { once: true })
    ws.addEventListener('error', () => reject(new Error(`could not connect to ${url}`)), { once: true })
  })
}

function closed(ws: WebSocket): Promise<Closed> {
  return new Promise((resolve) =>
    ws.addEventListener('close', (e) => resolve({ code: e.code, reason: e.reason, wasClean: e.wasClean }), {
      once: true,
    }),
  )
}

const GOING_AWAY: Closed = { code: 1001, reason: 'server shutting down', wasClean: true }

describe('graceful shutdown with open WebSockets', () => {
  let app: App | undefined
  let fixture: FixtureProcess | undefined

  afterEach(async () => {
    await app?.close()
    app = undefined
    await fixture?.stop()
    fixture = undefined
  })

  it('app.close() sends 1001 "server shutting down" to every client, runs each close handler once, and resolves quickly', async () => {
    const serverCloses: Array<[string, number, string]> = []
    const events: string[] = []
    app = createApp({ logger: false })
    app.ws('/ws/:name', {
      open: (ws) => void ws.send('welcome'),
      close: (ws, code, reason) => void serverCloses.push([ws.params.name as string, code, reason]),
    })
    app.onShutdown(() => void events.push('shutdown hook'))
    const { port } = await listen(app)
    const clients = await Promise.all(['a', 'b'].map((name) => connect(`ws://127.0.0.1:${port}/ws/${name}`)))
    const outcomes = Promise.all(clients.map(closed))

    const started = Date.now()
    await within(app.close(), 3000, 'app.close()')
    const elapsed = Date.now() - started

    expect(await within(outcomes, 2000, 'the clients to see the close')).toEqual([GOING_AWAY, GOING_AWAY])
    // Well under the 10 s shutdown deadline: nothing waits for the sockets to time out.
    expect(elapsed).toBeLessThan(2000)
    await sleep(50)
    expect(serverCloses.sort()).toEqual([
      ['a', 1001, 'server shutting down'],
      ['b', 1001, 'server shutting down'],
    ])
    expect(events).toEqual(['shutdown hook'])
    app = undefined
  })

  it('sends 1001 while an HTTP request is still draining, before that request finishes', async () => {
    let finished = false
    app = createApp({ logger: false })
    app.ws('/ws', { open: (ws) => void ws.send('welcome') })
    app.get('/slow', async () => {
      await sleep(500)
      finished = true
      return { done: true }
    })
    const { port, url } = await listen(app)
    const client = await connect(`ws://127.0.0.1:${port}/ws`)
    const outcome = closed(client)
    const pending = fetch(`${url}/slow`)
    await sleep(50)
    const closing = app.close()

    expect(await within(outcome, 2000, 'the client to see the close')).toEqual(GOING_AWAY)
    // The client could already reconnect elsewhere while the drain still waits for /slow.
    expect(finished).toBe(false)
    expect((await pending).status).toBe(200)
    await within(closing, 5000, 'app.close()')
    app = undefined
  })

  it('answers 503 to an upgrade whose check finishes after shutdown started, instead of opening a socket', async () => {
    let release: () => void = () => {}
    let checking = false
    const opened: string[] = []
    app = createApp({ logger: false })
    app.ws('/ws/:name', {
      upgrade: async (req) => {
        if (req.params.name === 'slow') {
          checking = true
          await new Promise<void>((resolve) => (release = resolve))
        }
        return undefined
      },
      open: (ws) => {
        opened.push(ws.params.name as string)
        ws.send('welcome')
      },
    })
    const { port } = await listen(app)
    // An open socket makes shutdown wait for the close frames to flush: the slow check ends meanwhile.
    await connect(`ws://127.0.0.1:${port}/ws/fast`)
    const request =
      'GET /ws/slow HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n'
    const answer = rawRequest(port, request, { until: (data) => data.includes('}') })
    await waitUntil(() => checking, 2000, 'the slow upgrade check')
    const closing = app.close()
    release()

    const result = await answer
    expect(result.text).toMatch(/^HTTP\/1\.1 503 /)
    expect(result.text).toContain('"message":"server shutting down"')
    expect(opened).toEqual(['fast'])
    await within(closing, 3000, 'app.close()')
    app = undefined
  })

  it('on SIGTERM, a client gets 1001 and the process exits 0 after its close handler ran', async () => {
    fixture = new FixtureProcess('websocket-shutdown-app.ts')
    const listening = await fixture.waitForLine((line) => line.event === 'listening', 15_000)
    const client = await connect(`ws://127.0.0.1:${listening.port as number}/ws`)
    const outcome = closed(client)
    fixture.kill('SIGTERM')

    expect(await within(outcome, 5000, 'the client to see the close')).toEqual(GOING_AWAY)
    expect(await fixture.waitForExit(5000)).toEqual({ code: 0, signal: null })
    const reported = fixture.lines.filter((line) => typeof line.event === 'string').map((line) => line.event)
    expect(reported).toEqual(['listening', 'ws-close', 'shutdown-hook'])
    expect(fixture.lines.find((line) => line.event === 'ws-close')).toMatchObject({
      code: 1001,
      reason: 'server shutting down',
    })
  })
})
