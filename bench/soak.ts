/**
 * Soak test (`npm run soak`): mixed load on the example API at 1,000 connections for 60 s by default,
 * sampling the server's RSS every second. Passes when there are 0 errors and the mean RSS of the last 5 s is
 * less than 5 % above the mean of seconds 10-15 (a leak shows as steady growth; GC makes single samples noisy).
 *
 *   npm run soak -- [--connections 1000] [--duration 60]
 *
 * Loopback only, bounded in time. autocannon runs in this process; the server is its own process.
 */
import autocannon from 'autocannon'
import { parseArgs } from 'node:util'
import { processRssKb } from './lib/proc-stats.js'
import { startServer } from './lib/server.js'

const { values } = parseArgs({
  options: { connections: { type: 'string', default: '1000' }, duration: { type: 'string', default: '60' } },
})
const connections = Number(values.connections)
const durationS = Number(values.duration)
if (!(connections > 0 && durationS >= 15)) throw new RangeError('--connections > 0 and --duration >= 15 s')

const server = await startServer({
  script: 'examples/api/main.ts',
  cwd: process.cwd(),
  ioDelayMs: 50,
  onLine: () => undefined,
})
const rss: Array<{ t: number; mb: number }> = []
const started = Date.now()
const sampler = setInterval(() => {
  const kb = processRssKb(server.child.pid)
  if (kb !== undefined) rss.push({ t: (Date.now() - started) / 1000, mb: kb / 1024 })
}, 1000)

try {
  // Mixed traffic in rotation: awaited I/O (timer and file), a read of a stored item, health checks. No
  // writes: stored items would grow the heap by design, which is data, not a leak.
  await fetch(`http://127.0.0.1:${server.port}/items`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"name":"soak"}',
  })
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}`,
    connections,
    duration: durationS,
    pipelining: 1, // never pipeline async routes on the uWS core (UWS-NOTES)
    requests: [
      { method: 'GET', path: '/io' },
      { method: 'GET', path: '/items/1' },
      { method: 'GET', path: '/health' },
      { method: 'GET', path: '/io?kind=file' },
    ],
  })
  clearInterval(sampler)
  report(result)
} finally {
  clearInterval(sampler)
  await server.child.stop()
}

function report(result: autocannon.Result): void {
  // RSS saw-tooths with garbage collection: compare 5-second means, not single samples.
  const mean = (samples: typeof rss): number => samples.reduce((sum, s) => sum + s.mb, 0) / samples.length
  const early = mean(rss.filter((s) => s.t >= 10 && s.t < 15))
  const late = mean(rss.slice(-5))
  const growth = (late - early) / early
  const errors = result.errors + result.timeouts + result.non2xx
  console.log(`soak: ${connections} connections, ${durationS} s, core ${server.core}`)
  console.log(
    `  responses  ${result['2xx']} 2xx, errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx}`,
  )
  console.log(`  RSS (MB)   ${rss.map((s) => s.mb.toFixed(0)).join(' ')}`)
  console.log(
    `  RSS growth ${(growth * 100).toFixed(1)} %: mean of 10-15 s ${early.toFixed(0)} MB, of the last 5 s ` +
      `${late.toFixed(0)} MB (target < 5 %)`,
  )
  const ok = errors === 0 && growth < 0.05
  console.log(ok ? 'PASS' : 'FAIL')
  process.exitCode = ok ? 0 : 1
}
