/** Server-Sent Events over the real uWS core: framing, Last-Event-ID, heartbeats and cleanup on disconnect. */
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, sse, type App } from '../../src/index.js'
import { waitUntil } from './helpers/server.js'

describe('sse()', () => {
  let app: App
  let port: number
  let open = 0
  let cleaned = 0

  beforeAll(async () => {
    app = createApp({ logger: false })
    app.get('/events', (ctx) => {
      const stream = sse(ctx, { heartbeatMs: 50, retryMs: 2000 })
      open++
      let n = Number(stream.lastEventId ?? 0)
      const timer = setInterval(() => stream.send({ id: String(++n), event: 'tick', data: { n } }), 10)
      stream.onClose(() => {
        clearInterval(timer)
        cleaned++
      })
      return stream
    })
    app.get('/finite', (ctx) => {
      const stream = sse(ctx, { heartbeatMs: 0 })
      stream.send('line one\nline two')
      stream.end()
    })
    port = (await app.listen({ port: 0, signals: false })).port
  })

  afterAll(() => app.close())

  it('sends events with id, event and data fields, and resumes after Last-Event-ID', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/events`, { headers: { 'last-event-id': '41' } })
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(res.headers.get('cache-control')).toBe('no-cache')
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    let text = ''
    while (!text.includes('id: 43')) text += new TextDecoder().decode((await reader.read()).value)
    await reader.cancel()
    expect(text.startsWith('retry: 2000\n\n')).toBe(true)
    expect(text).toContain('event: tick\nid: 42\ndata: {"n":42}\n\n')
  })

  it('splits multi-line data and ends the response when the stream ends', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/finite`)
    expect(await res.text()).toBe('data: line one\ndata: line two\n\n')
  })

  it('sends heartbeat comments while idle and clears its timer when the client leaves', async () => {
    const before = { open, cleaned }
    const socket = net.connect(port, '127.0.0.1')
    socket.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n')
    let received = ''
    socket.on('data', (d: Buffer) => (received += d.toString()))
    await waitUntil(() => received.includes(': heartbeat'), 2000, 'a heartbeat')
    expect(open).toBe(before.open + 1)
    socket.destroy()
    await waitUntil(() => cleaned === before.cleaned + 1, 2000, 'the stream cleanup')
    expect(app.stats().inFlight).toBe(0)
  })
})
