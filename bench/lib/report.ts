/**
 * Turns the raw measurements into the figures the harness reports: throughput from totals, the
 * Little's-law bound and efficiency, CPU shares and CPU per response, plus the warnings that follow from
 * them. The result is both the JSON document of `--json` and the input of the summary table.
 */
import type { TimedRunSummary } from './protocol.js'

/** Everything measured in one run, as collected by the harness. */
export interface Measurements {
  core: string
  url: string
  ioKind: string | undefined
  connections: number
  warmupS: number
  /** Real warm-up length: longer than warmupS while connections were still opening. */
  warmupActualS: number
  durationS: number
  ioDelayMs: number
  summary: TimedRunSummary
  autocannonVersion: string
  /** Which generator ran (autocannon, wrk or the open loop) and the scenario it loaded. */
  generator: string
  scenario: string
  method: string
  /** Open loop: the offered rate in requests per second. */
  rate: number | undefined
  /** Time one request needs at least (the scenario's I/O), or undefined when it awaits none. */
  boundDelayMs: number | undefined
  /** Server resident memory right after the window, in kB. */
  serverRssKb: number | undefined
  /** Server CPU over the timed window (µs), and the window as the harness timed it (µs). */
  serverCpu: { cpuUs: number | undefined; wallUs: number } | undefined
  /** Accept-queue overflows (system-wide counter) during the window. */
  listenOverflows: number | undefined
  peakInFlight: number | undefined
  /** Growth of the server's own request counter over the timed window, a cross-check of the client count. */
  serverRequests: number | undefined
  openFiles: { server: number | undefined; generator: number | undefined; needed: number }
  warnings: string[]
  startedAt: Date
}

/** The JSON document of `--json`; `null` where a figure could not be measured. */
export interface Report {
  generator: string
  generatorVersion: string
  scenario: string
  method: string
  /** Open loop only: the offered rate (req/s); `null` for closed-loop runs. */
  rate: number | null
  core: string
  nodeVersion: string
  url: string
  ioKind: string | null
  connections: number
  pipelining: 1
  warmupS: number
  warmupActualS: number
  durationS: number
  windowS: number
  ioDelayMs: number
  responses2xx: number
  responsesTotal: number
  requestsPerSecond: number
  latencyP50Ms: number
  latencyP90Ms: number
  latencyP99Ms: number
  latencyP999Ms: number
  latencyMaxMs: number
  errors: number
  timeouts: number
  non2xx: number
  statusCodes: Record<string, number>
  /** `null` when the scenario awaits no I/O, or for an open-loop run (its bound is the offered rate). */
  littleBoundRps: number | null
  efficiency: number | null
  serverCpuPercent: number | null
  serverRssMb: number | null
  generatorCpuPercent: number
  serverCpuUsPerRequest: number | null
  generatorMaxRssMb: number
  listenOverflows: number | null
  peakInFlight: number | null
  serverRequests: number | null
  openFilesLimit: { server: number | null; generator: number | null; needed: number }
  warnings: string[]
  startedAt: string
}

const round = (n: number, digits: number): number => Number(n.toFixed(digits))
const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v)
/** JSON has no Infinity; an "unlimited" limit is reported as null ("no limit known to apply"). */
const finiteOrNull = (v: number | undefined): number | null =>
  v === undefined || !Number.isFinite(v) ? null : v

/** The figures derived from the raw counts. */
interface Derived {
  requestsPerSecond: number
  littleBoundRps: number | null
  efficiency: number | null
  serverCpuPercent: number | null
  serverCpuUsPerRequest: number | null
  generatorCpuPercent: number
}

/** Throughput is 2xx responses over the measured window: totals, never an average of per-second samples. */
function derive(m: Measurements): Derived {
  const s = m.summary
  const requestsPerSecond = s.responses2xx / s.windowS
  // Closed loop: each connection has one request in flight, and each takes at least the I/O delay.
  const littleBoundRps =
    m.boundDelayMs === undefined || m.rate !== undefined ? null : m.connections / (m.boundDelayMs / 1000)
  const cpuUs = m.serverCpu?.cpuUs
  const wallUs = m.serverCpu?.wallUs ?? 0
  return {
    requestsPerSecond,
    littleBoundRps,
    efficiency: littleBoundRps === null ? null : requestsPerSecond / littleBoundRps,
    serverCpuPercent: cpuUs === undefined || wallUs <= 0 ? null : (100 * cpuUs) / wallUs,
    // Per response of any status: a 404 costs the server CPU too.
    serverCpuUsPerRequest: cpuUs === undefined || s.responsesTotal === 0 ? null : cpuUs / s.responsesTotal,
    generatorCpuPercent: (100 * (s.cpuUserUs + s.cpuSystemUs)) / (s.windowS * 1e6),
  }
}

/** Builds the report (and JSON document) from one run's measurements. */
export function buildReport(m: Measurements): Report {
  const s = m.summary
  const d = derive(m)
  const roundOrNull = (n: number | null) => (n === null ? null : round(n, 1))
  return {
    ...describeRun(m),
    windowS: round(s.windowS, 3),
    responses2xx: s.responses2xx,
    responsesTotal: s.responsesTotal,
    requestsPerSecond: round(d.requestsPerSecond, 1),
    latencyP50Ms: s.latency.p50,
    latencyP90Ms: s.latency.p90,
    latencyP99Ms: s.latency.p99,
    latencyP999Ms: s.latency.p999,
    latencyMaxMs: s.latency.max,
    errors: s.errors,
    timeouts: s.timeouts,
    non2xx: s.non2xx,
    statusCodes: s.statusCodes,
    littleBoundRps: d.littleBoundRps === null ? null : round(d.littleBoundRps, 1),
    efficiency: d.efficiency === null ? null : round(d.efficiency, 3),
    serverCpuPercent: roundOrNull(d.serverCpuPercent),
    serverRssMb: m.serverRssKb === undefined ? null : round(m.serverRssKb / 1024, 1),
    generatorCpuPercent: round(d.generatorCpuPercent, 1),
    serverCpuUsPerRequest: roundOrNull(d.serverCpuUsPerRequest),
    generatorMaxRssMb: round(s.maxRssKb / 1024, 1),
    listenOverflows: orNull(m.listenOverflows),
    peakInFlight: orNull(m.peakInFlight),
    serverRequests: orNull(m.serverRequests),
    openFilesLimit: {
      server: finiteOrNull(m.openFiles.server),
      generator: finiteOrNull(m.openFiles.generator),
      needed: m.openFiles.needed,
    },
    warnings: [...m.warnings, ...errorWarnings(m.summary), ...capacityWarnings(m, d)],
    startedAt: m.startedAt.toISOString(),
  }
}

/** The part of the report that says what was run, with what. */
function describeRun(m: Measurements) {
  return {
    generator: m.generator,
    generatorVersion: m.autocannonVersion,
    scenario: m.scenario,
    method: m.method,
    rate: orNull(m.rate),
    core: m.core,
    nodeVersion: process.version,
    url: m.url,
    ioKind: orNull(m.ioKind),
    connections: m.connections,
    pipelining: 1 as const,
    warmupS: m.warmupS,
    warmupActualS: round(m.warmupActualS, 2),
    durationS: m.durationS,
    ioDelayMs: m.ioDelayMs,
  }
}

/** Failed requests: printed prominently, since a fast run of errors is not a fast server. */
function errorWarnings(s: TimedRunSummary): string[] {
  const out: string[] = []
  if (s.responses2xx === 0) {
    out.push('NO successful (2xx) responses in the timed window: the figures above describe a failure.')
  }
  if (s.errors > 0 || s.non2xx > 0) {
    const codes = Object.entries(s.statusCodes).filter(([code]) => !code.startsWith('2'))
    const detail = codes.map(([code, n]) => `${code}×${n}`).join(', ')
    out.push(
      `REQUEST ERRORS: ${s.errors} errors (${s.timeouts} timeouts), ${s.non2xx} non-2xx responses` +
        (detail ? ` [${detail}]` : '') +
        '. Throughput counts 2xx only.',
    )
  }
  return out
}

/** Signs that the figure measures something other than the server (generator, kernel, limits). */
function capacityWarnings(m: Measurements, d: Derived): string[] {
  const out: string[] = []
  if (m.peakInFlight === undefined) {
    out.push(
      'peak in flight unknown: POST /stats/reset did not answer 2xx, or GET /stats did not answer with ' +
        '{ inFlight, peakInFlight, requests }.',
    )
  } else if (m.peakInFlight < m.connections && m.boundDelayMs !== undefined && m.rate === undefined) {
    out.push(
      `the server saw at most ${m.peakInFlight} requests in flight, fewer than the ${m.connections} connections: ` +
        'not all connections were served concurrently (open-files limit, accept backlog, or a saturated ' +
        'generator). Efficiency is then not a property of the server alone.',
    )
  }
  if (m.listenOverflows !== undefined && m.listenOverflows > 0) {
    out.push(
      `${m.listenOverflows} connection attempts overflowed a listen queue on this machine during the window ` +
        '(kernel ListenOverflows counts every process): either connections of this run were re-opening ' +
        '(their SYNs are retried after 1 s or more), or other load ran alongside. Either way, repeat the run.',
    )
  }
  if (m.ioKind === 'file') {
    // The example's file read is served from the page cache in well under a millisecond.
    out.push(
      `--io file awaits an async file read, which takes far less than --io-delay ${m.ioDelayMs} ms: ` +
        "Little's bound and the efficiency do not apply. Compare throughput and server CPU per response.",
    )
  } else if (d.efficiency !== null && d.efficiency > 1.02) {
    out.push(`efficiency above 1: the server's I/O delay is probably shorter than --io-delay ${m.ioDelayMs}.`)
  }
  if (d.generatorCpuPercent >= 90) {
    out.push(
      `the generator used ${d.generatorCpuPercent.toFixed(0)} % of a core: it is likely the bottleneck, so ` +
        'throughput is a lower bound for the server. Compare server CPU per response instead.',
    )
  }
  if (d.serverCpuPercent !== null && d.serverCpuPercent >= 90) {
    out.push(`the server used ${d.serverCpuPercent.toFixed(1)} % of a core: it is CPU-bound at this load.`)
  }
  return out
}

/**
 * wrk reports only over its whole run (warm-up included), so its window is counted by the server: requests
 * finished between the two /stats reads, over the interval of the server-CPU samples.
 */
export function serverCounted(
  summary: TimedRunSummary,
  requests: number | undefined,
  cpu: { wallUs: number } | undefined,
): TimedRunSummary {
  if (requests === undefined || cpu === undefined || cpu.wallUs <= 0) return summary
  const ok = Math.max(0, requests - summary.non2xx)
  return { ...summary, windowS: cpu.wallUs / 1e6, responses2xx: ok, responsesTotal: requests }
}
