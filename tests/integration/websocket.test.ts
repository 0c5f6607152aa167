/**
 * WebSocket routes on the uWS core (C15): async upgrade checks that answer HTTP statuses, message limits
 * closed with 1009, clients leaving mid-check, and pub/sub. Real clients: undici's WebSocket and raw sockets.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { WebSocket } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, HttpError, type App } from '../../src/index.js'
import { rawRequest } from './helpers/raw-socket.js'
import { waitUntil, watchProcessErrors } from './helpers/server.js'

const LIMIT = 64 * 1024

/** Opens a socket and resolves with it and its first message. */
function connect(url: string): Promise<{ ws: WebSocket; first: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url)
    ws.addEventListener('message', (e) => resolve({ ws, first: String(e.data) }), { once: true })
    ws.addEventListener('error', () => reject(new Error(`could not connect to ${url}`)), { once: true })
  })
}

function nextMessage(ws: WebSocket): Promise<string> {
  return new Promise((resolve) =>
    ws.addEventListener('message', (e) => resolve(String(e.data)), { once: true }),
  )
}

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.addEventListener('close', (e) => resolve(e.code), { once: true }))
}

describe('app.ws() on the uWS core', () => {
  let app: App
  let base: string
  let port: number
  const serverCloses: number[] = []
  let upgradesStarted = 0

  beforeAll(async () => {
    app = createApp({ logger: false })
    app.ws('/ws/:room', {
      maxPayloadLength: LIMIT,
      upgrade: async (req) => {
        upgradesStarted++
        const userAgent = req.headers['user-agent'] // read the headers first, then the slow check
        await sleep(20)
        if (req.query.get('token') !== 'good') throw new HttpError(401, 'bad token')
        return { room: req.params.room, userAgent }
      },
      open: (ws) => {
        ws.subscribe(`room:${ws.params.room}`)
        ws.send('welcome')
      },
      message: (ws, message) => {
        if (message === 'broadcast') app.publish(`room:${ws.data.room}`, { from: ws.data.room })
        else ws.send(message)
      },
      close: (_ws, code) => void serverCloses.push(code),
    })
    const info = await app.listen({ port: 0, signals: false })
    port = info.port
    base = `ws://127.0.0.1:${port}`
  })

  afterAll(() => app.close())

  it('C15: answers 200 handshakes with a good token with 101 then "welcome"', async () => {
    for (let batch = 0; batch < 4; batch++) {
      const sockets = await Promise.all(
        Array.from({ length: 50 }, () => connect(`${base}/ws/lobby?token=good`)),
      )
      expect(sockets.map((s) => s.first)).toEqual(Array(50).fill('welcome'))
      await Promise.all(sockets.map(({ ws }) => (ws.close(), closed(ws))))
    }
  })

  it('C15: refuses a bad token with an HTTP 401 response, not a 101 and not a reset', async () => {
    const request =
      'GET /ws/lobby?token=bad HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n'
    const result = await rawRequest(port, request, { until: (data) => data.includes('\r\n\r\n{') })
    expect(result.text).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/)
    expect(result.text).toContain('"message":"bad token"')
    expect(result.error).toBeUndefined()
  })

  it('C15: echoes a 64 KiB message and closes with 1009 on 64 KiB + 1, running the server close hook', async () => {
    const { ws } = await connect(`${base}/ws/big?token=good`)
    const exact = 'x'.repeat(LIMIT)
    ws.send(exact)
    expect(await nextMessage(ws)).toBe(exact)
    const before = serverCloses.length
    const code = closed(ws)
    ws.send('x'.repeat(LIMIT + 1))
    expect(await code).toBe(1009)
    await waitUntil(() => serverCloses.length > before, 2000, 'the server close hook')
    expect(serverCloses.at(-1)).toBe(1009)
  })

  it('closes with 1009 up to the uWS cap of 1 MiB, and abruptly (1006, no close frame) above it, still serving', async () => {
    // The cap is the larger of 1 MiB and twice the largest route limit (64 KiB here): docs/realtime.md.
    const CAP = 1024 * 1024
    for (const [size, expected] of [
      [70 * 1024, 1009],
      [CAP, 1009],
      [CAP + 1, 1006],
    ] as const) {
      const { ws } = await connect(`${base}/ws/big?token=good`)
      const before = serverCloses.length
      const code = closed(ws)
      ws.send('x'.repeat(size))
      expect([size, await code]).toEqual([size, expected])
      await waitUntil(() => serverCloses.length > before, 2000, 'the server close hook')
      expect([size, serverCloses.at(-1)]).toEqual([size, expected])
    }
    const { first } = await connect(`${base}/ws/lobby?token=good`)
    expect(first).toBe('welcome')
  })

  it('C15: a client that leaves during the 20 ms check causes no error, and the server keeps serving', async () => {
    const errors = watchProcessErrors()
    try {
      const before = upgradesStarted
      const request =
        'GET /ws/lobby?token=good HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n'
      await Promise.all(Array.from({ length: 20 }, () => rawRequest(port, request, { timeoutMs: 5 })))
      await waitUntil(() => upgradesStarted >= before + 20, 2000, 'the upgrade checks')
      await sleep(60)
      expect(errors.errors).toEqual([])
      const { first } = await connect(`${base}/ws/lobby?token=good`)
      expect(first).toBe('welcome')
    } finally {
      errors.stop()
    }
  })

  it('publishes to every socket subscribed to a topic', async () => {
    const a = await connect(`${base}/ws/red?token=good`)
    const b = await connect(`${base}/ws/red?token=good`)
    const other = await connect(`${base}/ws/blue?token=good`)
    const got = Promise.all([nextMessage(a.ws), nextMessage(b.ws)])
    let otherGot = false
    other.ws.addEventListener('message', () => (otherGot = true))
    a.ws.send('broadcast')
    expect(await got).toEqual(['{"from":"red"}', '{"from":"red"}'])
    await sleep(50)
    expect(otherGot).toBe(false)
    for (const s of [a, b, other]) s.ws.close()
  })

  it('answers an upgrade to an unknown path with 404', async () => {
    const request =
      'GET /nope HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n'
    const result = await rawRequest(port, request, { until: (data) => data.includes('}') })
    expect(result.text).toMatch(/^HTTP\/1\.1 404 /)
  })
})
