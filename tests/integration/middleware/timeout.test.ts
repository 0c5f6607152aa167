import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, HttpError, timeout } from '../../../src/index.js'
import { captureLogs, LEVEL, waitUntil, type LogLine } from '../helpers/server.js'
import { serve, type Served } from './undici-client.js'

describe('timeout()', () => {
  let served: Served
  let lines: LogLine[]
  const seen: { reason?: unknown } = {}

  beforeAll(async () => {
    const capture = captureLogs('info')
    lines = capture.lines
    const app = createApp({ logger: capture.logger })
    app.get('/fast', timeout(5_000), () => 'quick')
    app.get('/stuck', timeout(100), async (ctx) => {
      // A handler that only stops when its signal fires, then fails late.
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }))
      seen.reason = ctx.signal.reason
      throw new Error('late failure nobody can answer')
    })
    app.get('/gateway', timeout(100, { status: 504 }), () => sleep(10_000, 'never', { ref: false }))
    served = await serve(app)
  })
  afterAll(() => served.close())

  it('lets a handler that finishes in time answer', async () => {
    const res = await served.call('/fast')
    expect(res.text).toBe('quick')
  })

  it('answers 503, aborts ctx.signal and logs a warning when the handler is too slow', async () => {
    const res = await served.call('/stuck')
    expect(res.status).toBe(503)
    expect(JSON.parse(res.text)).toMatchObject({
      code: 'ERR_SERVICE_UNAVAILABLE',
      message: 'no response within 100 ms',
    })
    await waitUntil(() => seen.reason !== undefined, 5_000, 'the handler to see the abort')
    expect(seen.reason).toBeInstanceOf(HttpError)
    expect(lines.find((line) => line.msg === 'request timed out')).toMatchObject({
      level: LEVEL.warn,
      timeoutMs: 100,
      path: '/stuck',
    })
  })

  it('answers 504 when configured for a gateway', async () => {
    const res = await served.call('/gateway')
    expect(res.status).toBe(504)
    expect(JSON.parse(res.text)).toMatchObject({ code: 'ERR_GATEWAY_TIMEOUT' })
  })

  it('refuses a deadline that is not a positive number', () => {
    expect(() => timeout(0)).toThrow(RangeError)
  })
})
