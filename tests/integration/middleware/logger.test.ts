import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, requestLogger } from '../../../src/index.js'
import { captureLogs, LEVEL, type LogLine } from '../helpers/server.js'
import { serve, type Served } from './undici-client.js'

describe('requestLogger()', () => {
  let served: Served
  let lines: LogLine[]
  const completed = (): LogLine[] =>
    lines.filter((line) => line.msg === 'request completed' || line.msg === 'slow request')

  beforeAll(async () => {
    const capture = captureLogs('info')
    lines = capture.lines
    const app = createApp({ logger: capture.logger })
    app.use(
      requestLogger({
        headers: ['authorization', 'cookie', 'user-agent'],
        responseHeaders: true,
        sampleRate: 0,
        slowMs: 150,
      }),
    )
    app.get('/ok', (ctx) => {
      ctx.appendHeader('set-cookie', 'sid=secret')
      return 'ok'
    })
    app.get('/slow', async () => {
      await sleep(300)
      return 'late'
    })
    served = await serve(app)
  })
  afterAll(() => served.close())

  it('drops sampled-out ordinary requests and keeps client errors', async () => {
    lines.length = 0
    await served.call('/ok')
    const missing = await served.call('/missing', { headers: { authorization: 'Bearer t0ken' } })
    expect(missing.status).toBe(404)
    const logged = completed()
    expect(logged.map((line) => line.status)).toEqual([404])
  })

  it('redacts authorization and cookies and keeps other headers', async () => {
    lines.length = 0
    await served.call('/nope', {
      headers: { authorization: 'Bearer t0ken', cookie: 'sid=abc', 'user-agent': 'tests' },
    })
    const line = completed()[0]
    expect(line?.headers).toEqual({
      authorization: '[redacted]',
      cookie: '[redacted]',
      'user-agent': 'tests',
    })
    expect(JSON.stringify(lines)).not.toContain('t0ken')
  })

  it('warns about slow requests even when sampling would drop them', async () => {
    lines.length = 0
    const res = await served.call('/slow')
    expect(res.text).toBe('late')
    const line = completed()[0]
    expect(line).toMatchObject({ msg: 'slow request', level: LEVEL.warn, status: 200, slowMs: 150 })
    expect(line?.reqId).toEqual(expect.any(String))
  })

  it('redacts set-cookie among response headers', async () => {
    const capture = captureLogs('info')
    const app = createApp({ logger: capture.logger })
    app.use(requestLogger({ responseHeaders: ['set-cookie', 'content-type'] }))
    app.get('/', (ctx) => ctx.appendHeader('set-cookie', 'sid=secret').text('hi'))
    const other = await serve(app)
    try {
      await other.call('/')
      const line = capture.lines.find((l) => l.msg === 'request completed')
      expect(line?.responseHeaders).toEqual({
        'set-cookie': '[redacted]',
        'content-type': 'text/plain; charset=utf-8',
      })
    } finally {
      await other.close()
    }
  })

  it('rejects a sample rate outside 0-1', () => {
    expect(() => requestLogger({ sampleRate: 2 })).toThrow(RangeError)
  })
})
