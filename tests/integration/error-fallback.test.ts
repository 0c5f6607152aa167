import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, HttpError, type App } from '../../src/index.js'
import { captureLogs, listen, LEVEL, watchProcessErrors, type LogLine } from './helpers/server.js'

/**
 * When the JSON error response cannot be built itself (a header value with CR/LF in the HttpError, details
 * JSON cannot encode), the client gets a plain 500, never a 200 or no answer, the failure is logged, and the
 * request is released (in-flight back to 0, so a graceful shutdown does not wait for it).
 */
describe('an error whose error response cannot be built', () => {
  let app: App
  let url: string
  let lines: LogLine[]
  let processErrors: ReturnType<typeof watchProcessErrors>

  const splitHeader = (): HttpError =>
    new HttpError(401, 'no token', { headers: { 'www-authenticate': 'Bearer\r\nX-Injected: 1' } })

  beforeAll(async () => {
    processErrors = watchProcessErrors()
    const capture = captureLogs('info')
    lines = capture.lines
    app = createApp({ logger: capture.logger })
    app.get('/sync-split-header', () => {
      throw splitHeader()
    })
    app.get('/async-split-header', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1))
      throw splitHeader()
    })
    app.get('/async-bigint-details', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1))
      throw new HttpError(422, 'bad', { details: { n: 1n } })
    })
    app.get('/stats', () => app.stats())
    ;({ url } = await listen(app))
  })

  afterAll(async () => {
    await app.close()
    processErrors.stop()
  })

  for (const path of ['/sync-split-header', '/async-split-header', '/async-bigint-details']) {
    it(`${path} answers a plain 500 with the ERR_INTERNAL body and logs why`, async () => {
      const res = await fetch(new URL(path, url), { signal: AbortSignal.timeout(2000) })
      expect(res.status).toBe(500)
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
      expect(res.headers.get('www-authenticate')).toBeNull()
      expect(res.headers.get('x-injected')).toBeNull()
      expect(await res.json()).toEqual({
        status: 500,
        code: 'ERR_INTERNAL',
        message: 'Internal Server Error',
      })
      const line = lines.find((l) => l.msg === 'failed to build the error response' && l.path === path)
      expect(line?.level).toBe(LEVEL.error)
    })
  }

  it('leaves no request in flight and the process up', async () => {
    const res = await fetch(new URL('/stats', url))
    expect(await res.json()).toMatchObject({ inFlight: 1 })
    expect(processErrors.errors).toEqual([])
  })
})
