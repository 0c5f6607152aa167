import { describe, expect, it } from 'vitest'
import { createApp, HttpError, Router } from '../../../src/index.js'
import { completedLines, errorLines, LEVEL, loggedApp } from './helpers.js'

/** What the app accepts as an incoming id, so a generated id can be passed on to the next service. */
const VALID_ID = /^[A-Za-z0-9._:-]{1,128}$/

describe('request log lines', () => {
  it('logs one "request completed" line with reqId, method, path, status and durationMs', async () => {
    const { app, lines } = loggedApp()
    app.get('/items/:id', () => ({ ok: true }))
    await app.inject({ url: '/items/3?x=1', headers: { 'x-request-id': 'abc-123' } })
    const completed = completedLines(lines)
    expect(completed).toHaveLength(1)
    expect(completed[0]).toMatchObject({
      level: LEVEL.info,
      reqId: 'abc-123',
      method: 'GET',
      path: '/items/3',
      status: 200,
    })
    expect(completed[0]?.durationMs).toBeTypeOf('number')
    expect(completed[0]?.durationMs).toBeGreaterThanOrEqual(0)
    expect(errorLines(lines)).toEqual([])
  })

  it.each([
    ['a 404', '/nope', 'GET', 404],
    ['a 405', '/items/1', 'POST', 405],
    ['an automatic OPTIONS', '/items/1', 'OPTIONS', 204],
    ['a HEAD from GET', '/items/1', 'HEAD', 200],
    ['a 414', '/' + 'a'.repeat(9000), 'GET', 414],
  ])('logs one "request completed" line for %s', async (_what, url, method, status) => {
    const { app, lines } = loggedApp()
    app.get('/items/:id', () => ({ ok: true }))
    await app.inject({ method, url })
    const completed = completedLines(lines)
    expect(completed).toHaveLength(1)
    expect(completed[0]).toMatchObject({ method, status })
  })

  it('logs exactly one line with err, at error level, for a 500, with the request id and stack', async () => {
    const { app, lines } = loggedApp()
    app.get('/boom', () => {
      throw new Error('kaput')
    })
    await app.inject({ url: '/boom', headers: { 'x-request-id': 'req-500' } })
    const withErr = errorLines(lines)
    expect(withErr).toHaveLength(1)
    expect(withErr[0]).toMatchObject({ level: LEVEL.error, reqId: 'req-500', err: { message: 'kaput' } })
    expect(withErr[0]?.err?.stack).toContain('kaput')
    expect(completedLines(lines)).toHaveLength(1)
    expect(completedLines(lines)[0]).toMatchObject({ status: 500, reqId: 'req-500' })
  })

  it('logs exactly one line with err for a 4xx, the completed line, carrying the code', async () => {
    const { app, lines } = loggedApp()
    app.get('/gone', () => {
      throw new HttpError(410, 'gone for good')
    })
    await app.inject('/gone')
    const withErr = errorLines(lines)
    expect(withErr).toHaveLength(1)
    expect(withErr[0]).toMatchObject({ msg: 'request completed', status: 410 })
    expect(withErr[0]?.err).toMatchObject({ message: 'gone for good' })
  })

  it('logs one line with err when a router onError answered the request', async () => {
    const { app, lines } = loggedApp()
    const api = new Router({ prefix: '/api' }).onError(() => ({ handled: true }))
    api.get('/x', () => {
      throw new Error('recovered')
    })
    app.mount(api)
    await app.inject('/api/x')
    expect(errorLines(lines)).toHaveLength(1)
    expect(completedLines(lines)).toHaveLength(1)
  })

  it('logs one line with err for a 500 replaced by an app onError', async () => {
    const { app, lines } = loggedApp()
    app.onError((_err, ctx) => void ctx.json({ sorry: true }, 503))
    app.get('/x', () => {
      throw new Error('original')
    })
    const res = await app.inject('/x')
    expect(res.status).toBe(503)
    const withErr = errorLines(lines)
    expect(withErr).toHaveLength(1)
    expect(JSON.stringify(withErr[0]?.err)).toContain('original')
  })

  it('binds ctx.log to the request id', async () => {
    const { app, lines } = loggedApp()
    app.get('/x', (ctx) => {
      ctx.log.info({ step: 'lookup' }, 'handler says hi')
      return 'x'
    })
    await app.inject({ url: '/x', headers: { 'x-request-id': 'trace-9' } })
    expect(lines.find((line) => line.msg === 'handler says hi')).toMatchObject({
      reqId: 'trace-9',
      step: 'lookup',
    })
  })

  it('silences the app logger with logger: false and still answers', async () => {
    const app = createApp({ logger: false })
    app.get('/x', () => 'x')
    expect((await app.inject('/x')).body).toBe('x')
    expect(app.log.isLevelEnabled('fatal')).toBe(false)
  })
})

describe('request id', () => {
  it('takes a valid incoming x-request-id', async () => {
    const { app, lines } = loggedApp()
    app.get('/id', (ctx) => ({ id: ctx.id }))
    const res = await app.inject({ url: '/id', headers: { 'X-Request-Id': 'a.B:c_d-9' } })
    expect(res.json()).toEqual({ id: 'a.B:c_d-9' })
    expect(completedLines(lines)[0]?.reqId).toBe('a.B:c_d-9')
  })

  it.each([
    ['with a space', 'has space'],
    ['with a newline', 'a\nb'],
    ['with a quote', 'a"b'],
    ['empty', ''],
    ['longer than 128 characters', 'x'.repeat(129)],
  ])('generates an id when the incoming one is %s', async (_what, incoming) => {
    const { app } = loggedApp()
    app.get('/id', (ctx) => ({ id: ctx.id }))
    const { id } = (await app.inject({ url: '/id', headers: { 'x-request-id': incoming } })).json<{
      id: string
    }>()
    expect(id).not.toBe(incoming)
    expect(id).toMatch(VALID_ID)
  })

  it('generates a distinct id per request when none is sent, unique across apps', async () => {
    const ids = new Set<string>()
    for (const { app } of [loggedApp(), loggedApp()]) {
      app.get('/id', (ctx) => ({ id: ctx.id }))
      for (let i = 0; i < 3; i++) ids.add((await app.inject('/id')).json<{ id: string }>().id)
    }
    expect(ids.size).toBe(6)
    for (const id of ids) expect(id).toMatch(VALID_ID)
  })

  it('uses genReqId and a custom header, or ignores incoming ids with requestIdHeader: false', async () => {
    let n = 0
    const custom = loggedApp({ requestIdHeader: 'x-trace', genReqId: () => `gen-${++n}` }).app
    custom.get('/id', (ctx) => ({ id: ctx.id }))
    expect((await custom.inject({ url: '/id', headers: { 'x-trace': 't-1' } })).json()).toEqual({ id: 't-1' })
    expect((await custom.inject({ url: '/id', headers: { 'x-request-id': 'r-1' } })).json()).toEqual({
      id: 'gen-1',
    })
    const ignoring = loggedApp({ requestIdHeader: false, genReqId: () => 'always' }).app
    ignoring.get('/id', (ctx) => ({ id: ctx.id }))
    expect((await ignoring.inject({ url: '/id', headers: { 'x-request-id': 'r-2' } })).json()).toEqual({
      id: 'always',
    })
  })

  it('puts the request id in error bodies', async () => {
    const { app } = loggedApp()
    const res = await app.inject({ url: '/nope', headers: { 'x-request-id': 'err-7' } })
    expect(res.json()).toMatchObject({ requestId: 'err-7' })
  })
})
