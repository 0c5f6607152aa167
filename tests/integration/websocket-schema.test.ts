/**
 * WebSocket message schemas and backpressure on the uWS core, with a real `ws` client: valid JSON reaches
 * the handler typed, invalid messages get an error frame (or the close code of the route's policy) and a
 * warn line, and the server keeps serving; a slow reader makes sends queue, then drop, then drain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createApp, type App } from '../../src/index.js'
import { captureLogs, LEVEL, waitUntil, type LogLine } from './helpers/server.js'
import { TestClient } from './pubsub/ws-client.js'

const Say = z.object({ type: z.literal('say'), text: z.string().min(1).max(100) })
const CHUNK = 64 * 1024
const MAX_BACKPRESSURE = 256 * 1024

describe('WebSocket route schema', () => {
  let app: App
  let base: string
  let url: string
  let lines: LogLine[]
  const serverCloses: number[] = []

  beforeAll(async () => {
    const logs = captureLogs('info')
    lines = logs.lines
    app = createApp({ logger: logs.logger })
    app.get('/health', () => ({ ok: true }))
    app.ws('/chat', {
      schema: Say,
      message: (ws, message) => {
        ws.send({ echo: message.text.toUpperCase(), type: message.type })
      },
    })
    app.ws('/strict', {
      schema: Say,
      onInvalidMessage: 'close',
      message: (ws, message) => void ws.send(message.text),
      close: (_ws, code) => void serverCloses.push(code),
    })
    app.ws('/custom', {
      schema: Say,
      onInvalidMessage: (ws, problem) => void ws.send(`nope: ${problem.code}`),
      message: (ws, message) => void ws.send(message.text),
    })
    const info = await app.listen({
      port: 0,
      signals: false,
      webSocket: { maxBackpressure: MAX_BACKPRESSURE },
    })
    base = `ws://127.0.0.1:${info.port}`
    url = info.url
  })

  afterAll(() => app.close())

  it('hands the parsed, validated message to the handler', async () => {
    const client = await TestClient.open(`${base}/chat`)
    client.send(JSON.stringify({ type: 'say', text: 'hello' }))
    expect(await client.json()).toEqual({ echo: 'HELLO', type: 'say' })
    await client.close()
  })

  it('answers a message failing the schema with an error frame, logs it, and keeps the socket open', async () => {
    const client = await TestClient.open(`${base}/chat`)
    client.send(JSON.stringify({ type: 'say', text: '' }))
    const frame = (await client.json()) as { error: { code: string; message: string; details: unknown[] } }
    expect(frame.error.code).toBe('ERR_VALIDATION')
    expect(frame.error.message).toBe('message validation failed')
    expect(frame.error.details).toEqual([{ location: 'message.text', message: expect.any(String) }])
    const line = lines.find((l) => l.msg === 'WebSocket message refused' && l.code === 'ERR_VALIDATION')
    expect(line).toMatchObject({ level: LEVEL.warn, route: '/chat' })
    client.send(JSON.stringify({ type: 'say', text: 'still here' }))
    expect(await client.json()).toEqual({ echo: 'STILL HERE', type: 'say' })
    await client.close()
  })

  it('answers text that is not JSON with ERR_INVALID_JSON', async () => {
    const client = await TestClient.open(`${base}/chat`)
    client.send('{"type": "say", "text": ')
    const frame = (await client.json()) as { error: { code: string; message: string } }
    expect(frame.error.code).toBe('ERR_INVALID_JSON')
    expect(frame.error.message).toMatch(/^invalid JSON: /)
    await client.close()
  })

  it('refuses a __proto__ key instead of merging it (prototype poisoning)', async () => {
    const client = await TestClient.open(`${base}/chat`)
    client.send('{"type":"say","text":"hi","__proto__":{"polluted":true}}')
    const frame = (await client.json()) as { error: { code: string } }
    expect(frame.error.code).toBe('ERR_INVALID_JSON')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    await client.close()
  })

  it('refuses a binary frame on a JSON route with ERR_WS_UNSUPPORTED_DATA', async () => {
    const client = await TestClient.open(`${base}/chat`)
    client.send(Buffer.from(JSON.stringify({ type: 'say', text: 'bytes' })))
    const frame = (await client.json()) as { error: { code: string } }
    expect(frame.error.code).toBe('ERR_WS_UNSUPPORTED_DATA')
    await client.close()
  })

  it.each([
    ['a schema failure', JSON.stringify({ type: 'shout', text: 'x' }), 1008, 'ERR_VALIDATION'],
    ['text that is not JSON', 'not json', 1007, 'ERR_INVALID_JSON'],
    ['a binary frame', Buffer.from('{}'), 1003, 'ERR_WS_UNSUPPORTED_DATA'],
  ])("closes with the RFC 6455 code on %s when the policy is 'close'", async (_what, data, code, reason) => {
    const client = await TestClient.open(`${base}/strict`)
    const before = serverCloses.length
    client.send(data)
    expect(await client.closed).toEqual({ code, reason })
    await waitUntil(() => serverCloses.length > before, 2000, 'the server close handler')
    expect(serverCloses.at(-1)).toBe(code)
  })

  it('lets a function answer invalid messages instead', async () => {
    const client = await TestClient.open(`${base}/custom`)
    client.send('[1,2')
    expect(await client.next()).toBe('nope: ERR_INVALID_JSON')
    client.send(JSON.stringify({ type: 'say', text: 'ok' }))
    expect(await client.next()).toBe('ok')
    await client.close()
  })

  it('survives 300 invalid messages in a burst and keeps serving HTTP and WebSockets', async () => {
    const client = await TestClient.open(`${base}/chat`)
    for (let i = 0; i < 300; i++) client.send(i % 2 ? '{bad' : JSON.stringify({ type: 'say', text: 1 }))
    await waitUntil(() => client.messages.length === 300, 10_000, '300 error frames')
    const res = await fetch(`${url}/health`)
    expect(res.status).toBe(200)
    client.send(JSON.stringify({ type: 'say', text: 'after' }))
    await waitUntil(() => client.messages.length === 301, 3000, 'the echo')
    expect(JSON.parse(String(client.messages[300]))).toEqual({ echo: 'AFTER', type: 'say' })
    await client.close()
  })
})

describe('WebSocket backpressure', () => {
  let app: App
  let base: string
  const flood = { accepted: 0, dropped: 0, bufferedAtDrop: 0, drains: 0 }

  beforeAll(async () => {
    app = createApp({ logger: false })
    app.ws('/flood', {
      message: (ws) => {
        // The client stopped reading: sends queue until maxBackpressure, then they are dropped.
        const chunk = Buffer.alloc(CHUNK, 7)
        for (let i = 0; i < 4000 && flood.dropped < 3; i++) {
          if (ws.send(chunk)) flood.accepted++
          else {
            if (flood.dropped === 0) flood.bufferedAtDrop = ws.bufferedAmount
            flood.dropped++
          }
        }
      },
      drain: (ws) => {
        flood.drains++
        if (ws.bufferedAmount === 0) ws.send('drained')
      },
    })
    const info = await app.listen({
      port: 0,
      signals: false,
      webSocket: { maxBackpressure: MAX_BACKPRESSURE },
    })
    base = `ws://127.0.0.1:${info.port}`
  })

  afterAll(() => app.close())

  it('drops sends past maxBackpressure, reports bufferedAmount, then drains once the client reads', async () => {
    const client = await TestClient.open(`${base}/flood`)
    client.socket.pause()
    client.send('go')
    await waitUntil(() => flood.dropped >= 3, 10_000, 'dropped sends')
    expect(flood.bufferedAtDrop).toBeGreaterThanOrEqual(MAX_BACKPRESSURE)
    expect(flood.drains).toBe(0)
    client.socket.resume()
    await waitUntil(() => client.messages.at(-1) === 'drained', 15_000, 'the drained message')
    expect(flood.drains).toBeGreaterThan(0)
    // Every accepted send arrived, no dropped one did.
    expect(client.messages.length).toBe(flood.accepted + 1)
    await client.close()
  })
})
