/**
 * Load smoke test: 500 concurrent connections for about 2 s against a route that awaits 50 ms.
 * It asserts that every client was served while the handlers awaited, never how fast (speed lives in bench/).
 */
import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../src/index.js'

const run = promisify(execFile)
const autocannonCli = createRequire(import.meta.url).resolve('autocannon/autocannon.js')

interface AutocannonResult {
  errors: number
  timeouts: number
  non2xx: number
  '2xx': number
  latency: { p50: number }
}

describe('500 concurrent clients on a route awaiting 50 ms', () => {
  let app: App
  let port: number

  beforeAll(async () => {
    app = createApp({ logger: false })
    app.get('/io', async () => {
      await sleep(50)
      return { ok: true }
    })
    port = (await app.listen({ port: 0, signals: false })).port
  })

  afterAll(() => app.close())

  it('serves them all with 0 errors while the server holds 500 requests in flight', async () => {
    // autocannon runs in its own process so the generator and the server do not share an event loop.
    // No pipelining: on the uWS core a pipelined request aborts the pending async one (UWS-NOTES).
    const { stdout } = await run(
      process.execPath,
      [autocannonCli, '-c', '500', '-d', '2', '-p', '1', '--json', `http://127.0.0.1:${port}/io`],
      { maxBuffer: 16 * 1024 * 1024, timeout: 30_000 },
    )
    const result = JSON.parse(stdout) as AutocannonResult
    expect(result.errors).toBe(0)
    expect(result.timeouts).toBe(0)
    expect(result.non2xx).toBe(0)
    expect(result['2xx']).toBeGreaterThanOrEqual(5000)
    expect(result.latency.p50).toBeGreaterThanOrEqual(50)
    expect(app.stats().peakInFlight).toBeGreaterThanOrEqual(500)
    // The process is still up and answers afterwards.
    const health = await fetch(`http://127.0.0.1:${port}/io`)
    expect(health.status).toBe(200)
  })
})
