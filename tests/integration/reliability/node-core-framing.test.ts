/**
 * What the node:http core does where the uWS parser cannot (docs/security.md): pipelined requests to
 * awaiting handlers answered in order, and slow header blocks (slowloris) cut off at the configured deadline.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../../src/index.js'
import { parseResponses } from '../helpers/http-parse.js'
import { RawConnection, rawRequest } from '../helpers/raw-socket.js'

describe('the node:http core', () => {
  let app: App
  let port: number

  beforeAll(async () => {
    app = createApp({ logger: false })
    app.get('/wait/:ms', async (ctx) => {
      await sleep(Number(ctx.params.ms))
      return { waited: Number(ctx.params.ms) }
    })
    port = (await app.listen({ port: 0, signals: false, core: 'node', headersTimeoutMs: 1000 })).port
  })

  afterAll(() => app.close())

  it('answers pipelined requests to awaiting handlers completely and in order (RFC 9112 §9.3.2)', async () => {
    const request = (ms: number): string => `GET /wait/${ms} HTTP/1.1\r\nHost: x\r\n\r\n`
    const result = await rawRequest(port, request(60) + request(10) + request(30), {
      until: (data) => parseResponses(data).responses.length >= 3,
      timeoutMs: 3000,
    })
    const bodies = parseResponses(result.received).responses.map((r) => JSON.parse(r.body.toString()))
    expect(bodies).toEqual([{ waited: 60 }, { waited: 10 }, { waited: 30 }])
  })

  it('closes a connection whose header block trickles in past headersTimeoutMs (slowloris)', async () => {
    const conn = await RawConnection.open(port)
    try {
      await conn.write('GET /wait/1 HTTP/1.1\r\nHost: x\r\n')
      const started = Date.now()
      // One header line every 300 ms, never finishing the block.
      const trickle = setInterval(() => void conn.write('X-Slow: 1\r\n').catch(() => undefined), 300)
      const closed = await conn.waitFor((_data, isClosed) => isClosed, 5000)
      clearInterval(trickle)
      expect(closed).toBe(true)
      expect(Date.now() - started).toBeLessThan(4500)
    } finally {
      conn.destroy()
    }
    // Other clients were served meanwhile and still are.
    expect((await fetch(`http://127.0.0.1:${port}/wait/1`)).status).toBe(200)
  })
})
