import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  bodyLimit,
  compression,
  cors,
  createApp,
  etag,
  rateLimit,
  requestId,
  requestLogger,
  securityHeaders,
  serverTiming,
  timeout,
  type MiddlewareHandler,
} from '../../../src/index.js'
import { loggedApp } from '../app/helpers.js'

describe('built-in middleware', () => {
  it('returns named functions, so stack traces and logs read well', () => {
    const names = [
      requestId(),
      requestLogger(),
      cors(),
      securityHeaders(),
      rateLimit(),
      bodyLimit(10),
      timeout(10),
      compression(),
      etag(),
      serverTiming(),
    ].map((fn) => fn.name)
    expect(names).toEqual([
      'requestId',
      'requestLogger',
      'cors',
      'securityHeaders',
      'rateLimit',
      'bodyLimit',
      'timeout',
      'compression',
      'etag',
      'serverTiming',
    ])
  })

  it('fits apps with typed state and route params', async () => {
    interface AppState {
      user?: { id: string }
    }
    const app = createApp<AppState>({ logger: false })
    expectTypeOf(cors()).toExtend<MiddlewareHandler<AppState>>()
    app.use(requestId(), securityHeaders(), compression(), etag())
    app.get('/users/:id', bodyLimit('1kb'), timeout(1_000), (ctx) => ({ id: ctx.params.id }))
    const res = await app.inject('/users/7')
    expect(res.json()).toEqual({ id: '7' })
    expect(res.headers['x-request-id']).toEqual(expect.any(String))
  })

  it('replaces the app completion line rather than adding a second one', async () => {
    const { app, lines } = loggedApp()
    app.use(requestLogger())
    app.get('/', () => 'ok')
    await app.inject('/')
    expect(lines.filter((line) => line.msg === 'request completed')).toHaveLength(1)
  })
})
