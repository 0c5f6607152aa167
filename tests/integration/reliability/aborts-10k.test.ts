import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../../src/index.js'
import { hasResponses, onlyResponse } from '../helpers/http-parse.js'
import { RawConnection, rawRequest } from '../helpers/raw-socket.js'
import {
  captureLogs,
  get,
  LEVEL,
  listen,
  waitUntil,
  watchProcessErrors,
  type LogLine,
} from '../helpers/server.js'

const TOTAL = 10_000
const BATCH = 500
const MB = 1024 * 1024

/** Active handles and requests by type (`Timeout`, `TCPSocketWrap`...), as Node counts them. */
function resources(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1
  return counts
}

/** True when no resource type counts more than at `baseline`. */
function atMost(baseline: Record<string, number>): boolean {
  return Object.entries(resources()).every(([type, count]) => count <= (baseline[type] ?? 0))
}

describe('10,000 client aborts mid-await on the uWS core', () => {
  let app: App
  let port: number
  let lines: LogLine[]
  const counts = { started: 0, signalled: 0, finished: 0 }

  beforeAll(async () => {
    const capture = captureLogs('warn')
    lines = capture.lines
    app = createApp({ logger: capture.logger })
    app.get('/health', () => ({ status: 'ok' }))
    app.get('/wait', async (ctx) => {
      counts.started++
      ctx.signal.addEventListener('abort', () => counts.signalled++, { once: true })
      await sleep(30_000, undefined, { signal: ctx.signal })
      counts.finished++
      return { waited: true }
    })
    ;({ port } = await listen(app))
  })

  afterAll(() => app.close())

  /** Opens `size` connections, waits until each request awaits in its handler, then drops them all. */
  async function abortBatch(size: number, batch: number): Promise<void> {
    const before = counts.started
    const conns = await Promise.all(Array.from({ length: size }, () => RawConnection.open(port, 5000)))
    for (const conn of conns) void conn.write(get('/wait'))
    await waitUntil(
      () => counts.started >= before + size,
      10_000,
      `batch ${batch}: ${size} handlers to start`,
    )
    // Half leave with a FIN, half with a RST.
    conns.forEach((conn, i) => (i % 2 === 0 ? conn.destroy() : conn.reset()))
    await waitUntil(() => counts.signalled >= before + size, 10_000, `batch ${batch}: ctx.signal for each`)
  }

  it(`fires ctx.signal for each of ${TOTAL} aborts (batches of ${BATCH}), never crashes, and returns in-flight, handles, timers and heap to baseline`, async () => {
    const processErrors = watchProcessErrors()
    try {
      // Warm-up: the first batch allocates what the server keeps for good (pools, compiled code).
      await abortBatch(BATCH, 0)
      await waitUntil(() => app.stats().inFlight === 0, 5000, 'in-flight 0 after the warm-up')
      await sleep(50)
      const baseline = resources()
      const heapBefore = process.memoryUsage().heapUsed
      counts.started = counts.signalled = 0

      for (let batch = 1; batch * BATCH <= TOTAL; batch++) await abortBatch(BATCH, batch)

      expect(counts).toEqual({ started: TOTAL, signalled: TOTAL, finished: 0 })
      await waitUntil(() => app.stats().inFlight === 0, 5000, 'app in-flight back to 0')
      await waitUntil(() => atMost(baseline), 5000, `resources back to ${JSON.stringify(baseline)}`)
      const heapGrowth = process.memoryUsage().heapUsed - heapBefore
      expect(heapGrowth, `heap grew by ${(heapGrowth / MB).toFixed(1)} MB`).toBeLessThan(50 * MB)
      expect(processErrors.errors).toEqual([])
      expect(lines.filter((l) => l.level >= LEVEL.error)).toEqual([])
    } finally {
      processErrors.stop()
    }
  }, 90_000)

  it('still answers GET /health and counts nothing in flight afterwards', async () => {
    const result = await rawRequest(port, get('/health'), { until: hasResponses(1) })
    expect(onlyResponse(result.received).status).toBe(200)
    expect(app.stats().inFlight).toBe(0)
  })
})
