/** The terminal table `npm run bench:compare` prints at the end: medians per point, then the ratios. */
import type { CompareRatio, CompareRow } from './compare-stats.js'
import { formatInt } from './progress.js'

const show = (n: number | null, digits = 1) => (n === null ? '-' : n.toFixed(digits))

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')
}

/** Renders medians grouped by scenario and point, and the Swiftlet ratios. */
export function renderCompareTable(rows: readonly CompareRow[], ratios: readonly CompareRatio[]): string {
  const header = ['server', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'CPU µs/req', 'RSS MB', 'eff.', 'errors']
  const widths = [18, 9, 8, 8, 8, 10, 7, 6, 6]
  const out: string[] = []
  const points = [...new Set(rows.map((r) => `${r.scenario}|${r.connections}|${r.ioDelayMs}`))]
  for (const point of points) {
    const [scenario, connections, delay] = point.split('|')
    const group = rows.filter((r) => `${r.scenario}|${r.connections}|${r.ioDelayMs}` === point)
    out.push(
      '',
      `${scenario}: ${connections} connections, io-delay ${delay} ms (medians of ${group[0]?.rounds} rounds)`,
    )
    out.push(`  ${pad(header, widths)}`)
    for (const r of group) {
      const cells = [
        r.server,
        formatInt(r.requestsPerSecond),
        show(r.latencyP50Ms),
        show(r.latencyP99Ms),
        show(r.latencyMaxMs),
        show(r.serverCpuUsPerRequest),
        show(r.rssMb, 0),
        show(r.efficiency, 3),
        r.errors > 0 ? `${r.errors} !!` : '0',
      ]
      out.push(`  ${pad(cells, widths)}`)
    }
    for (const q of ratios.filter((x) => `${x.scenario}|${x.connections}|${x.ioDelayMs}` === point)) {
      out.push(
        `  Swiftlet / ${q.baseline}: CPU per request ${show(q.cpuPerRequest, 2)}× ` +
          `(paired by round: ${show(q.cpuPerRequestPairedMedian, 2)}×), throughput ${show(q.requestsPerSecond, 2)}×`,
      )
    }
  }
  return `${out.join('\n')}\n`
}
