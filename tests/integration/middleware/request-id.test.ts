import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, HttpError, requestId } from '../../../src/index.js'
import { captureLogs, type LogLine } from '../helpers/server.js'
import { serve, type Served } from './undici-client.js'

describe('requestId()', () => {
  let served: Served
  let lines: LogLine[]

  beforeAll(async () => {
    const capture = captureLogs('info')
    lines = capture.lines
    const app = createApp({ logger: capture.logger })
    let n = 0
    app.use(requestId({ header: 'x-correlation-id', generate: () => `gen-${++n}` }))
    app.get('/id', (ctx) => {
      ctx.log.info('in handler')
      return { id: ctx.id }
    })
    app.get('/fail', () => {
      throw new HttpError(409, 'taken')
    })
    served = await serve(app)
  })
  afterAll(() => served.close())

  it('accepts a valid incoming id and echoes it in the response header', async () => {
    const res = await served.call('/id', { headers: { 'x-correlation-id': 'abc-123' } })
    expect(res.headers['x-correlation-id']).toBe('abc-123')
    expect(JSON.parse(res.text)).toEqual({ id: 'abc-123' })
  })

  it('generates an id when the incoming one is too long or has other characters', async () => {
    for (const bad of ['a'.repeat(129), 'has space', 'semi;colon', '']) {
      const res = await served.call('/id', { headers: { 'x-correlation-id': bad } })
      expect(res.headers['x-correlation-id']).toMatch(/^gen-\d+$/)
    }
  })

  it('binds the id into the request logger and the completion line', async () => {
    const res = await served.call('/id', { headers: { 'x-correlation-id': 'trace-9' } })
    expect(res.status).toBe(200)
    const mine = lines.filter((line) => line.reqId === 'trace-9').map((line) => line.msg)
    expect(mine).toEqual(['in handler', 'request completed'])
  })

  it('keeps the header and the id on error responses', async () => {
    const res = await served.call('/fail', { headers: { 'x-correlation-id': 'err-1' } })
    expect(res.status).toBe(409)
    expect(res.headers['x-correlation-id']).toBe('err-1')
    expect(JSON.parse(res.text)).toMatchObject({ requestId: 'err-1' })
  })

  it('ignores the incoming id when trustIncoming is false', async () => {
    const app = createApp({ logger: false })
    app.use(requestId({ trustIncoming: false, responseHeader: 'request-id' }))
    app.get('/', (ctx) => ctx.id)
    const other = await serve(app)
    try {
      const res = await other.call('/', { headers: { 'x-request-id': 'client-chosen' } })
      expect(res.text).not.toBe('client-chosen')
      expect(res.headers['request-id']).toBe(res.text)
      expect(res.headers['x-request-id']).toBeUndefined()
    } finally {
      await other.close()
    }
  })
})
