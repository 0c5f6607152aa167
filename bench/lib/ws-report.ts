/**
 * The report of a real-time run (ws-idle, ws-broadcast, sse): the JSON document of `--json` and the rows of
 * the summary table. Keys that mean what they mean for HTTP scenarios keep their names (`serverRssMb`,
 * `serverCpuPercent`, `latencyP99Ms`, `errors`, ...); the rest is documented in docs/load-testing.md.
 */
import { availableParallelism, loadavg } from 'node:os'
import { formatInt } from './progress.js'
import { renderTable } from './summary-table.js'
import type { PublishStats, RealtimeSnapshot } from './ws-bench-hub.js'
import type { ConnectSummary, RealtimeWindowSummary } from './ws-protocol.js'
import type { RealtimeScenario } from './ws-scenarios.js'

/** Everything measured in one real-time run. */
export interface RealtimeMeasurements {
  scenario: RealtimeScenario
  core: string
  url: string
  connections: number
  warmupS: number
  durationS: number
  intervalMs: number
  client: string
  clientVersion: string
  connect: ConnectSummary
  window: RealtimeWindowSummary
  /** Server RSS before the first client connected and right after the window, kB. */
  serverRssBeforeKb: number | undefined
  serverRssKb: number | undefined
  /** Server CPU while the clients connected, µs; and over the window (µs, with the window's wall time). */
  serverConnectCpuUs: number | undefined
  serverCpu: { cpuUs: number | undefined; wallUs: number } | undefined
  publish: PublishStats | undefined
  /** `GET /realtime` at the end of the window: what the server counts as open. */
  serverSnapshot: RealtimeSnapshot | undefined
  listenOverflows: number | undefined
  openFiles: { server: number | undefined; generator: number | undefined; needed: number }
  warnings: string[]
  startedAt: Date
}

const round = (n: number, digits = 1): number => Number(n.toFixed(digits))
const maybe = <T, R>(v: T | undefined | null, f: (v: T) => R): R | null =>
  v === undefined || v === null ? null : f(v)

/** The JSON document; `null` where a figure does not apply (no broadcast) or could not be measured. */
export type RealtimeReport = ReturnType<typeof buildRealtimeReport>

/** Builds the report from one run's measurements. */
export function buildRealtimeReport(m: RealtimeMeasurements) {
  const { connect: c, window: w } = m
  const broadcast = m.scenario.broadcast
  const cpuUs = m.serverCpu?.cpuUs
  const wallUs = m.serverCpu?.wallUs ?? 0
  const perConnKb =
    m.serverRssKb === undefined || m.serverRssBeforeKb === undefined || c.opened === 0
      ? null
      : round((m.serverRssKb - m.serverRssBeforeKb) / c.opened, 2)
  const b = <R>(f: () => R): R | null => (broadcast ? f() : null)
  const report = {
    generator: m.client,
    generatorVersion: m.clientVersion,
    scenario: m.scenario.name,
    core: m.core,
    nodeVersion: process.version,
    url: m.url,
    connections: m.connections,
    warmupS: m.warmupS,
    durationS: m.durationS,
    windowS: round(w.windowS, 3),
    intervalMs: b(() => m.intervalMs),
    connected: c.opened,
    connectErrors: c.errors,
    connectS: round(c.seconds, 3),
    connectRatePerS: c.seconds > 0 ? round(c.opened / c.seconds) : null,
    connectP50Ms: c.latency.p50,
    connectP99Ms: c.latency.p99,
    closedDuringRun: w.closedDuringRun,
    errors: c.errors + w.closedDuringRun,
    serverConnections: maybe(m.serverSnapshot, (s) =>
      m.scenario.scheme === 'ws' ? s.webSockets : s.sseStreams,
    ),
    serverRssBeforeMb: maybe(m.serverRssBeforeKb, (kb) => round(kb / 1024)),
    serverRssMb: maybe(m.serverRssKb, (kb) => round(kb / 1024)),
    serverRssKbPerConnection: perConnKb,
    serverCpuPercent: cpuUs === undefined || wallUs <= 0 ? null : round((100 * cpuUs) / wallUs),
    serverConnectCpuUsPerConnection: maybe(m.serverConnectCpuUs, (us) =>
      c.opened ? round(us / c.opened) : null,
    ),
    generatorCpuPercent: round((100 * w.cpuUs) / (w.windowS * 1e6)),
    generatorConnectCpuUsPerConnection: c.opened ? round(c.cpuUs / c.opened) : null,
    generatorMaxRssMb: round(w.maxRssKb / 1024),
    messages: b(() => w.messages),
    completeMessages: b(() => w.completeMessages),
    deliveries: b(() => w.deliveries),
    expectedDeliveries: b(() => w.expectedDeliveries),
    messagesPerSecond: b(() => round(w.deliveries / w.windowS)),
    latencyP50Ms: b(() => w.fanout.p50),
    latencyP90Ms: b(() => w.fanout.p90),
    latencyP99Ms: b(() => w.fanout.p99),
    latencyMaxMs: b(() => w.fanout.max),
    deliveryP50Ms: b(() => w.delivery.p50),
    deliveryP99Ms: b(() => w.delivery.p99),
    deliveryMaxMs: b(() => w.delivery.max),
    serverFanoutMsMean: b(() => m.publish?.fanoutMsMean ?? null),
    serverFanoutMsMax: b(() => m.publish?.fanoutMsMax ?? null),
    serverFanoutCpuMsMean: b(() => m.publish?.fanoutCpuMsMean ?? null),
    /** The client side of every delivery: N × this is the least time the last client can wait. */
    generatorCpuUsPerDelivery: b(() => (w.deliveries === 0 ? null : round(w.cpuUs / w.deliveries, 2))),
    serverCpuUsPerDelivery: b(() =>
      cpuUs === undefined || w.deliveries === 0 ? null : round(cpuUs / w.deliveries, 2),
    ),
    listenOverflows: m.listenOverflows ?? null,
    /** 1-minute load average of the machine when the window closed, and its cores. */
    loadAverage: round(loadavg()[0] ?? 0, 2),
    cores: availableParallelism(),
    openFilesLimit: {
      server: maybe(m.openFiles.server, (n) => (Number.isFinite(n) ? n : null)),
      generator: maybe(m.openFiles.generator, (n) => (Number.isFinite(n) ? n : null)),
      needed: m.openFiles.needed,
    },
    warnings: [] as string[],
    startedAt: m.startedAt.toISOString(),
  }
  report.warnings = [...m.warnings, ...realtimeWarnings(m, report)]
  return report
}

type Draft = Omit<ReturnType<typeof buildRealtimeReport>, 'warnings'>

/** What makes the figures suspect, said plainly. */
function realtimeWarnings(m: RealtimeMeasurements, r: Draft): string[] {
  const out: string[] = []
  if (r.connectErrors > 0) {
    out.push(
      `CONNECT ERRORS: ${r.connectErrors} of ${r.connections} clients never opened (${m.connect.firstError}).`,
    )
  }
  if (r.closedDuringRun > 0)
    out.push(`${r.closedDuringRun} clients were closed by the server or the network mid-run.`)
  if (r.serverConnections !== null && r.serverConnections !== r.connected - r.closedDuringRun) {
    out.push(
      `the server counts ${r.serverConnections} open connections, the generator ${r.connected - r.closedDuringRun}.`,
    )
  }
  if (r.deliveries !== null && r.expectedDeliveries !== null && r.deliveries < r.expectedDeliveries) {
    const missing = r.expectedDeliveries - r.deliveries
    out.push(
      `MISSING DELIVERIES: ${formatInt(missing)} of ${formatInt(r.expectedDeliveries)} never arrived ` +
        `(${(r.messages ?? 0) - (r.completeMessages ?? 0)} messages incomplete); fan-out latency covers complete messages only.`,
    )
  }
  if (r.messages === 0) out.push('NO message was published in the window: the delivery figures are empty.')
  if (m.window.malformed > 0) out.push(`${m.window.malformed} messages received were not bench messages.`)
  if (r.latencyP99Ms !== null && r.intervalMs !== null && r.latencyP99Ms > r.intervalMs) {
    out.push(
      `p99 fan-out (${r.latencyP99Ms} ms) exceeds the publish interval (${r.intervalMs} ms): deliveries queue up ` +
        'behind each other, so latency grows with the backlog. Try a longer --interval.',
    )
  }
  if (r.generatorCpuPercent >= 90) {
    out.push(
      `the generator used ${r.generatorCpuPercent.toFixed(0)} % of a core: its own processing is part of every ` +
        'delivery time, so latency and messages/s are bounds for the server, not its figures.',
    )
  }
  if (r.serverCpuPercent !== null && r.serverCpuPercent >= 90) {
    out.push(`the server used ${r.serverCpuPercent} % of a core: it is CPU-bound at this load.`)
  }
  if (r.loadAverage > r.cores) {
    out.push(
      `the machine was busy (load average ${r.loadAverage} on ${r.cores} cores): every latency above includes ` +
        'time spent waiting for a CPU. Repeat on a quieter machine before quoting it.',
    )
  }
  if (m.listenOverflows !== undefined && m.listenOverflows > 0) {
    out.push(
      `${m.listenOverflows} listen-queue overflows on this machine during the window (kernel counter): repeat the run.`,
    )
  }
  return out
}

/** The summary table's rows. */
function rows(r: RealtimeReport): [string, string][] {
  const every = r.intervalMs === null ? '' : `, a message every ${r.intervalMs} ms`
  const out: [string, string][] = [
    ['core', r.core],
    ['target', `${r.url} (scenario ${r.scenario}${every})`],
    [
      'generator',
      `${r.generator} ${r.generatorVersion}, ${r.connections} clients in their own process, node ${r.nodeVersion}`,
    ],
    [
      'connect',
      `${formatInt(r.connected)} of ${formatInt(r.connections)} open in ${r.connectS} s ` +
        `(${formatInt(r.connectRatePerS ?? 0)}/s), handshake p50 ${r.connectP50Ms} ms p99 ${r.connectP99Ms} ms`,
    ],
    ['window', `${r.windowS.toFixed(2)} s after ${r.warmupS} s warm-up (not counted)`],
  ]
  if (r.messagesPerSecond !== null) {
    out.push(
      [
        'delivered',
        `${formatInt(r.messagesPerSecond)} messages/s  (${formatInt(r.deliveries ?? 0)} of ` +
          `${formatInt(r.expectedDeliveries ?? 0)} deliveries; ${r.completeMessages} of ${r.messages} messages reached all)`,
      ],
      [
        'to last client',
        `p50 ${r.latencyP50Ms} ms  p90 ${r.latencyP90Ms} ms  p99 ${r.latencyP99Ms} ms  max ${r.latencyMaxMs} ms`,
      ],
      ['to each client', `p50 ${r.deliveryP50Ms} ms  p99 ${r.deliveryP99Ms} ms  max ${r.deliveryMaxMs} ms`],
      [
        'server fan-out',
        `mean ${r.serverFanoutMsMean ?? '?'} ms, max ${r.serverFanoutMsMax ?? '?'} ms per message ` +
          `(CPU ${r.serverFanoutCpuMsMean ?? '?'} ms per message)`,
      ],
    )
  }
  const flagged = r.errors > 0 ? '  <-- !!' : ''
  out.push(
    ['errors', `${r.errors}  (connect ${r.connectErrors}, closed mid-run ${r.closedDuringRun})${flagged}`],
    ['server memory', memoryText(r)],
    ['server CPU', serverCpuText(r)],
    [
      'generator CPU',
      `${r.generatorCpuPercent} % of one core in the window` +
        (r.generatorCpuUsPerDelivery === null ? '' : `, ${r.generatorCpuUsPerDelivery} µs per delivery`) +
        `, ${r.generatorConnectCpuUsPerConnection ?? '?'} µs per connect, max RSS ${r.generatorMaxRssMb} MB`,
    ],
    ['server counts', r.serverConnections === null ? 'unknown' : `${formatInt(r.serverConnections)} open`],
    [
      'open files',
      `server ${r.openFilesLimit.server ?? 'unknown'}, generator ${r.openFilesLimit.generator ?? 'unknown'} (needs about ${r.openFilesLimit.needed})`,
    ],
  )
  return out
}

function memoryText(r: RealtimeReport): string {
  if (r.serverRssMb === null) return 'not measured'
  const per = r.serverRssKbPerConnection === null ? '' : `, +${r.serverRssKbPerConnection} kB per connection`
  return `RSS ${r.serverRssMb} MB with ${formatInt(r.connected)} open (before: ${r.serverRssBeforeMb ?? '?'} MB${per})`
}

function serverCpuText(r: RealtimeReport): string {
  if (r.serverCpuPercent === null) return 'not measured (needs Linux /proc)'
  const per = r.serverCpuUsPerDelivery === null ? '' : `, ${r.serverCpuUsPerDelivery} µs per delivery`
  return `${r.serverCpuPercent} % of one core in the window${per}; ${r.serverConnectCpuUsPerConnection ?? '?'} µs per accepted connection`
}

/** The summary printed to stdout. */
export function renderRealtimeSummary(r: RealtimeReport): string {
  return renderTable(rows(r), r.warnings)
}
