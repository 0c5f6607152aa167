/** The human-readable summary `npm run loadtest` prints to stdout. */
import { formatInt } from './progress.js'
import type { Report } from './report.js'

const ms = (n: number) => `${n} ms`

/** Label/value rows of the summary table. */
function rows(r: Report): [string, string][] {
  const window = r.windowS.toFixed(2)
  const flagged = r.errors + r.non2xx > 0 ? '  <-- !!' : ''
  return [
    ['core', r.core],
    [
      'target',
      `${r.method} ${r.url} (scenario ${r.scenario}, io ${r.ioKind ?? '-'}, delay ${r.ioDelayMs} ms)`,
    ],
    ['generator', generatorText(r)],
    ['window', `${window} s measured after ${r.warmupActualS.toFixed(1)} s warm-up (not counted)`],
    [
      'throughput',
      `${formatInt(r.requestsPerSecond)} req/s  (${formatInt(r.responses2xx)} 2xx / ${window} s)`,
    ],
    ["Little's bound", boundText(r)],
    ['efficiency', r.efficiency === null ? 'n/a' : r.efficiency.toFixed(3)],
    [
      r.rate === null ? 'latency' : 'latency (open)',
      r.responsesTotal === 0
        ? 'n/a (no response in the window)'
        : `p50 ${ms(r.latencyP50Ms)}  p90 ${ms(r.latencyP90Ms)}  p99 ${ms(r.latencyP99Ms)}  ` +
          `p99.9 ${ms(r.latencyP999Ms)}  max ${ms(r.latencyMaxMs)}`,
    ],
    ['errors', `${r.errors}  (timeouts ${r.timeouts}, non-2xx ${r.non2xx})${flagged}`],
    ['server CPU', serverCpuText(r)],
    ['generator CPU', `${r.generatorCpuPercent} % of one core, max RSS ${r.generatorMaxRssMb} MB`],
    [
      'peak in flight',
      r.peakInFlight === null ? 'unknown' : `${r.peakInFlight} of ${r.connections} connections`,
    ],
    ['open files', openFilesText(r)],
  ]
}

function generatorText(r: Report): string {
  const loop =
    r.rate === null ? 'closed loop' : `open loop at ${formatInt(r.rate)} req/s (latency from scheduled start)`
  return `${r.generator} ${r.generatorVersion}, ${r.connections} connections, ${loop}, no pipelining, node ${r.nodeVersion}`
}

function boundText(r: Report): string {
  if (r.rate !== null) return `n/a (open loop: ${formatInt(r.rate)} req/s offered)`
  if (r.littleBoundRps === null) return 'n/a (the scenario awaits no I/O)'
  return `${formatInt(r.littleBoundRps)} req/s  (${r.connections} connections / per-request I/O)`
}

function serverCpuText(r: Report): string {
  if (r.serverCpuPercent === null) return 'not measured (with --url, pass --server-pid; needs Linux /proc)'
  const rss = r.serverRssMb === null ? '' : `, RSS ${r.serverRssMb} MB`
  return `${r.serverCpuPercent} % of one core, ${r.serverCpuUsPerRequest ?? '?'} µs per response${rss}`
}

function openFilesText(r: Report): string {
  const show = (n: number | null) => (n === null ? 'unknown' : String(n))
  const { server, generator, needed } = r.openFilesLimit
  return `server ${show(server)}, generator ${show(generator)} (this run needs about ${needed})`
}

/** The summary table, followed by the warnings (all of them, never truncated). */
export function renderSummary(r: Report): string {
  return renderTable(rows(r), r.warnings)
}

/** Label/value rows under the title, then the warnings; shared with the real-time report (ws-report.ts). */
export function renderTable(table: [string, string][], warnings: string[]): string {
  const width = Math.max(...table.map(([label]) => label.length)) + 2
  const lines = [
    '',
    'Swiftlet load test',
    ...table.map(([label, value]) => `  ${label.padEnd(width)}${value}`),
  ]
  if (warnings.length > 0) {
    lines.push('', `WARNINGS (${warnings.length}) — read these before quoting any figure above:`)
    for (const warning of warnings) lines.push(`  !! ${warning}`)
  }
  return `${lines.join('\n')}\n`
}
