/**
 * Medians and ratios of the comparison: runs are grouped by server × scenario × connections × I/O delay,
 * each figure is the median over the rounds, and Swiftlet is divided by raw uWS and by Fastify.
 */
import type { Report } from './report.js'

/** One run of the comparison: the loadtest report plus which server file produced it. */
export interface CompareRun {
  server: string
  round: number
  report: Report
}

/** Medians of one server × scenario × point over its rounds (the JSON row of `bench:compare`). */
export interface CompareRow {
  server: string
  scenario: string
  connections: number
  ioDelayMs: number
  rounds: number
  requestsPerSecond: number
  latencyP50Ms: number
  latencyP99Ms: number
  latencyMaxMs: number
  /** Sum over the rounds, so a single failing round is not hidden by a median. */
  errors: number
  efficiency: number | null
  serverCpuUsPerRequest: number | null
  rssMb: number | null
}

/** Swiftlet divided by a baseline, per scenario and point. */
export interface CompareRatio {
  scenario: string
  connections: number
  ioDelayMs: number
  baseline: string
  /** Swiftlet's median server CPU per request / the baseline's (lower is better; 1.10 = 10 % more). */
  cpuPerRequest: number | null
  /** Swiftlet's median throughput / the baseline's (higher is better). */
  requestsPerSecond: number | null
  /**
   * Median over the rounds of (Swiftlet / baseline) CPU per request within the same round: the A B pairs
   * ran back to back, so this cancels drifts between rounds better than the ratio of medians.
   */
  cpuPerRequestPairedMedian: number | null
}

/** Median of the numbers (mean of the middle two for an even count); null for none. */
export function median(values: readonly (number | null)[]): number | null {
  const xs = values.filter((v): v is number => v !== null).sort((a, b) => a - b)
  if (xs.length === 0) return null
  const mid = Math.floor(xs.length / 2)
  const hi = xs[mid] ?? 0
  return xs.length % 2 === 1 ? hi : ((xs[mid - 1] ?? 0) + hi) / 2
}

const r1 = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10)
const key = (r: Pick<CompareRow, 'server' | 'scenario' | 'connections' | 'ioDelayMs'>) =>
  `${r.server}|${r.scenario}|${r.connections}|${r.ioDelayMs}`

/** Groups the runs and takes medians. */
export function summarise(runs: readonly CompareRun[]): CompareRow[] {
  const groups = new Map<string, CompareRun[]>()
  for (const run of runs) {
    const { scenario, connections, ioDelayMs } = run.report
    const k = key({ server: run.server, scenario, connections, ioDelayMs })
    groups.set(k, [...(groups.get(k) ?? []), run])
  }
  return [...groups.values()].map((group) => {
    const first = group[0]
    if (first === undefined) throw new Error('empty group')
    const reports = group.map((g) => g.report)
    const eff = median(reports.map((r) => r.efficiency))
    return {
      server: first.server,
      scenario: first.report.scenario,
      connections: first.report.connections,
      ioDelayMs: first.report.ioDelayMs,
      rounds: group.length,
      requestsPerSecond: r1(median(reports.map((r) => r.requestsPerSecond))) ?? 0,
      latencyP50Ms: r1(median(reports.map((r) => r.latencyP50Ms))) ?? 0,
      latencyP99Ms: r1(median(reports.map((r) => r.latencyP99Ms))) ?? 0,
      latencyMaxMs: r1(median(reports.map((r) => r.latencyMaxMs))) ?? 0,
      errors: reports.reduce((sum, r) => sum + r.errors + r.non2xx, 0),
      efficiency: eff === null ? null : Math.round(eff * 1000) / 1000,
      serverCpuUsPerRequest: r1(median(reports.map((r) => r.serverCpuUsPerRequest))),
      rssMb: r1(median(reports.map((r) => r.serverRssMb))),
    }
  })
}

/** Median of the per-round ratios of CPU per request, Swiftlet / baseline, at one point. */
function pairedMedian(runs: readonly CompareRun[], row: CompareRow, baseline: string): number | null {
  const at = (server: string, round: number) =>
    runs.find(
      (r) =>
        r.server === server && r.round === round && key({ ...r.report, server }) === key({ ...row, server }),
    )
  const perRound = runs
    .filter((r) => r.server === 'swiftlet' && key({ ...r.report, server: 'swiftlet' }) === key(row))
    .map((r) => {
      const mine = r.report.serverCpuUsPerRequest
      const theirs = at(baseline, r.round)?.report.serverCpuUsPerRequest ?? null
      return mine === null || theirs === null || theirs === 0 ? null : mine / theirs
    })
  const m = median(perRound)
  return m === null ? null : Math.round(m * 100) / 100
}

/** Swiftlet / baseline for each scenario and point where both ran. */
export function ratios(
  rows: readonly CompareRow[],
  baselines: readonly string[],
  runs: readonly CompareRun[] = [],
): CompareRatio[] {
  const byKey = new Map(rows.map((r) => [key(r), r]))
  const out: CompareRatio[] = []
  for (const s of rows.filter((r) => r.server === 'swiftlet')) {
    for (const baseline of baselines) {
      const b = byKey.get(key({ ...s, server: baseline }))
      if (b === undefined) continue
      const div = (x: number | null, y: number | null) =>
        x === null || y === null || y === 0 ? null : Math.round((x / y) * 100) / 100
      out.push({
        scenario: s.scenario,
        connections: s.connections,
        ioDelayMs: s.ioDelayMs,
        baseline,
        cpuPerRequest: div(s.serverCpuUsPerRequest, b.serverCpuUsPerRequest),
        requestsPerSecond: div(s.requestsPerSecond, b.requestsPerSecond),
        cpuPerRequestPairedMedian: pairedMedian(runs, s, baseline),
      })
    }
  }
  return out
}
