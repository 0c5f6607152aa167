/**
 * Testing a middleware with inject: `app.inject()` runs a request through the whole pipeline in memory, no
 * socket, so a middleware's behaviour is a few lines of assertions. This program tests the `maintenance`
 * middleware of custom-middleware.ts and prints each check; in the test suite the same lines sit inside
 * vitest's `it(...)` (and a real-socket test covers the wire, see tests/integration/).
 *
 * Try: run it (`npm run example -- testing-with-inject`); break the middleware and run it again.
 */
import assert from 'node:assert/strict'
import { createApp } from '../../src/index.js'
import { maintenance } from './custom-middleware.js'
import { isMain } from './serve.js'

/** A fresh app per check: no state leaks between them. */
function appWith(down: boolean) {
  const app = createApp({ logger: false })
  app.use(maintenance({ enabled: () => down, retryAfter: 30 }))
  app.get('/items', () => [{ id: 1 }])
  app.get('/health', () => ({ ok: true }))
  return app
}

const checks: Array<[string, () => Promise<void>]> = [
  [
    'passes requests through and marks the response when maintenance is off',
    async () => {
      const res = await appWith(false).inject('/items')
      assert.equal(res.status, 200)
      assert.equal(res.headers['x-maintenance'], 'off')
      assert.deepEqual(res.json(), [{ id: 1 }])
    },
  ],
  [
    'answers 503 with Retry-After when maintenance is on',
    async () => {
      const res = await appWith(true).inject('/items')
      assert.equal(res.status, 503)
      assert.equal(res.headers['retry-after'], '30')
      assert.equal(res.json<{ message: string }>().message, 'down for maintenance')
    },
  ],
  [
    'keeps allowed paths working during maintenance',
    async () => {
      const res = await appWith(true).inject({ method: 'GET', url: '/health' })
      assert.equal(res.status, 200)
      assert.equal(res.headers['x-maintenance'], 'on')
    },
  ],
]

/** Runs every check and reports; resolves to the number of failures. */
export async function runChecks(): Promise<number> {
  let failed = 0
  for (const [name, check] of checks) {
    try {
      await check()
      console.log(`  PASS  ${name}`)
    } catch (err) {
      failed++
      console.log(`  FAIL  ${name}\n        ${(err as Error).message}`)
    }
  }
  console.log(`\n${checks.length - failed} passed, ${failed} failed`)
  return failed
}

/** Nothing to serve: run.ts calls runChecks() for this example. */
export const tryIt: readonly string[] = []

if (isMain(import.meta.url)) process.exitCode = (await runChecks()) > 0 ? 1 : 0
