import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../src/index.js'
import { hasResponses, onlyResponse } from './helpers/http-parse.js'
import { RawConnection, rawRequest } from './helpers/raw-socket.js'
import {
  captureLogs,
  get,
  listen,
  waitUntil,
  watchProcessErrors,
  within,
  type LogLine,
} from './helpers/server.js'

const CLIENTS = 1000
const BIG = Buffer.alloc(8 * 1024 * 1024, 'z')

/** Open timers, by Node's own count. */
const openTimers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length

describe('client gone during an await (C11)', () => {
  let app: App
  let port: number
  let lines: LogLine[]
  const slow = { started: 0, signalled: 0, finished: 0 }
  const slowBody = { started: 0, bodyRead: 0, failed: 0, signalled: 0 }

  beforeAll(async () => {
    const capture = captureLogs('info')
    lines = capture.lines
    app = createApp({ logger: capture.logger })
    app.get('/health', () => ({ status: 'ok' }))
    app.get('/slow', async (ctx) => {
      slow.started++
      ctx.signal.addEventListener('abort', () => slow.signalled++, { once: true })
      await sleep(2000, undefined, { signal: ctx.signal })
      slow.finished++
      return { slept: 2000 }
    })
    app.get('/big', () => BIG)
    app.post('/slow-body', async (ctx) => {
      slowBody.started++
      ctx.signal.addEventListener('abort', () => slowBody.signalled++, { once: true })
      try {
        await ctx.req.bytes()
      } catch (err) {
        slowBody.failed++
        throw err
      }
      slowBody.bodyRead++
      await sleep(2000, undefined, { signal: ctx.signal })
      return { ok: true }
    })
    ;({ port } = await listen(app))
  })

  afterAll(() => app.close())

  const abortedLines = (prefix: string): LogLine[] =>
    lines.filter(
      (l) => l.msg === 'request aborted' && typeof l.reqId === 'string' && l.reqId.startsWith(prefix),
    )

  it(`C11: ${CLIENTS} clients leaving /slow after 100 ms (half FIN, half RST) each fire ctx.signal and are logged once as aborted`, async () => {
    const processErrors = watchProcessErrors()
    const timersBefore = openTimers()
    try {
      const clients = await Promise.all(
        Array.from({ length: CLIENTS }, async (_, i) => {
          const conn = await RawConnection.open(port, 10_000)
          await conn.write(get('/slow', { 'x-request-id': `c11-slow-${i}` }))
          return conn
        }),
      )
      await waitUntil(() => slow.started === CLIENTS, 10_000, `${CLIENTS} handlers awaiting`)
      expect(app.stats().inFlight).toBe(CLIENTS)
      await sleep(100)
      clients.forEach((conn, i) => (i % 2 === 0 ? conn.end() : conn.reset()))

      await waitUntil(() => app.stats().inFlight === 0, 10_000, 'every aborted request to finish')
      await waitUntil(() => abortedLines('c11-slow-').length >= CLIENTS, 5000, 'the abort log lines')
      expect(slow.signalled).toBe(CLIENTS)
      expect(slow.finished).toBe(0)
      const ids = abortedLines('c11-slow-').map((l) => l.reqId)
      expect(new Set(ids).size).toBe(CLIENTS)
      expect(ids).toHaveLength(CLIENTS)
      const completed = lines.filter((l) => l.msg === 'request completed' && l.reqId?.startsWith('c11-slow-'))
      expect(completed).toEqual([])
      const errorLines = lines.filter((l) => l.level >= 50 && l.reqId?.startsWith('c11-slow-'))
      expect(errorLines).toEqual([])
      // Every 2 s timer was cleared by its signal: none is left behind.
      expect(openTimers()).toBeLessThanOrEqual(timersBefore + 5)
      for (const conn of clients) conn.destroy()
      expect(processErrors.errors).toEqual([])
    } finally {
      processErrors.stop()
    }
  })

  it.each([
    ['FIN', (conn: RawConnection) => conn.end()],
    ['RST', (conn: RawConnection) => conn.reset()],
  ])(
    'C11: clients that send half a declared body then close (%s) release their request',
    async (kind, leave) => {
      const processErrors = watchProcessErrors()
      const count = 50
      const startedBefore = slowBody.started
      const failedBefore = slowBody.failed
      try {
        const clients = await Promise.all(
          Array.from({ length: count }, async (_, i) => {
            const conn = await RawConnection.open(port)
            const head =
              `POST /slow-body HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: c11-body-${kind}-${i}\r\n` +
              `Content-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n`
            await conn.write([head, Buffer.alloc(500, 'h')])
            return conn
          }),
        )
        await waitUntil(() => slowBody.started - startedBefore === count, 5000, 'the body handlers to start')
        for (const conn of clients) leave(conn)
        await waitUntil(() => app.stats().inFlight === 0, 5000, 'every half-body request to finish')
        expect(slowBody.failed - failedBefore).toBe(count)
        expect(slowBody.bodyRead).toBe(0)
        await waitUntil(() => abortedLines(`c11-body-${kind}-`).length >= count, 5000, 'the abort log lines')
        expect(abortedLines(`c11-body-${kind}-`)).toHaveLength(count)
        for (const conn of clients) conn.destroy()
        expect(processErrors.errors).toEqual([])
      } finally {
        processErrors.stop()
      }
    },
  )

  it.each([
    ['FIN', (conn: RawConnection) => conn.end()],
    ['RST', (conn: RawConnection) => conn.reset()],
  ])('C11: a client that leaves (%s) in the middle of an 8 MB response releases it', async (_kind, leave) => {
    const processErrors = watchProcessErrors()
    const completedBefore = app.stats().requests
    try {
      const conn = await RawConnection.open(port)
      conn.socket.pause() // a slow reader: the response waits on backpressure (tryEnd/onWritable)
      await conn.write(get('/big'))
      await waitUntil(
        () => app.stats().inFlight === 0 && app.stats().requests > completedBefore,
        5000,
        'the commit',
      )
      conn.socket.resume()
      await conn.waitFor((data) => data.length > 64 * 1024, 5000)
      leave(conn)
      conn.destroy()
      // The server keeps serving, and the half-sent response did not wedge anything.
      const result = await rawRequest(port, get('/health'), { until: hasResponses(1) })
      expect(onlyResponse(result.received).status).toBe(200)
      expect(processErrors.errors).toEqual([])
    } finally {
      processErrors.stop()
    }
  })

  it('C11: the server still answers GET /health afterwards', async () => {
    const result = await rawRequest(port, get('/health'), { until: hasResponses(1) })
    const res = onlyResponse(result.received)
    expect(res.status).toBe(200)
    expect(JSON.parse(res.body.toString())).toEqual({ status: 'ok' })
    expect(app.stats().inFlight).toBe(0)
  })

  it('C11: closes promptly afterwards: no aborted response is still counted in flight by the core', async () => {
    await within(app.close(3000), 2000, 'app.close()')
    expect(lines.filter((l) => /deadline/.test(l.msg))).toEqual([])
  })
})
