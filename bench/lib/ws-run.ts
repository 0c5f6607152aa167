/**
 * One real-time run of `npm run loadtest` (ws-idle, ws-broadcast, sse): starts the bench server and the
 * real-time generator as two children, lets the clients connect (at most {@link CONNECT_CONCURRENCY}
 * handshakes at a time, so the accept queue never overflows), starts the server's broadcast timer, waits the
 * warm-up, then measures a window: server CPU and RSS from /proc, generator CPU from the generator itself,
 * and every delivery's latency on the shared monotonic clock. See docs/load-testing.md.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { ManagedChild } from './children.js'
import { describeExit } from './children.js'
import { checkChildFileLimits, fileNeeds, preflightFileLimits } from './file-limits.js'
import { checkHealth, probe } from './http-probe.js'
import type { Options } from './options.js'
import { clockTicksPerSecond, cpuBetween, listenOverflows, processRssKb, sampleCpu } from './proc-stats.js'
import { formatInt } from './progress.js'
import type { ProgressLine } from './progress.js'
import { ServerStartError, startServer } from './server.js'
import type { PublishStats, RealtimeSnapshot } from './ws-bench-hub.js'
import { startRealtimeGenerator } from './ws-generator-client.js'
import type { RealtimeConfig } from './ws-protocol.js'
import { buildRealtimeReport, renderRealtimeSummary } from './ws-report.js'
import type { RealtimeReport } from './ws-report.js'
import type { RealtimeScenario } from './ws-scenarios.js'

/** Handshakes in progress at once: well below the accept backlog (512 in uSockets, 511 in Node). */
export const CONNECT_CONCURRENCY = 200
/** Per-client handshake timeout, and the time after which no new client is started. */
const HANDSHAKE_TIMEOUT_MS = 10_000
const CONNECT_DEADLINE_S = 120
/** After the window: how long the generator waits for window messages still on their way. */
const GRACE_MS = 5000

/** What the run needs from loadtest.ts. */
export interface RealtimeEnv {
  cwd: string
  progress: ProgressLine
  /** Children started here are pushed so the harness stops them on every exit path. */
  children: ManagedChild[]
  /** Prints the summary and writes --json; returns the exit code. */
  emit: (report: RealtimeReport, summary: string) => number
}

interface RealtimeServer {
  origin: string
  port: number
  core: string
  pid: number
  died: Promise<never>
}

/** Starts `--server`, checks /health and that it serves the real-time routes (GET /realtime). */
async function startRealtimeServer(opts: Options, env: RealtimeEnv): Promise<RealtimeServer> {
  env.progress.log(`starting ${opts.server} ...`)
  const server = await startServer({
    script: opts.server,
    cwd: env.cwd,
    ioDelayMs: opts.ioDelayMs,
    onLine: (line) => env.progress.log(`server | ${line}`),
  })
  env.children.push(server.child)
  const origin = `http://127.0.0.1:${server.port}`
  const unhealthy = await checkHealth(origin)
  if (unhealthy !== undefined)
    throw new ServerStartError(`the server listens but is not healthy: ${unhealthy}`)
  if ((await snapshot(origin)) === undefined) {
    throw new ServerStartError(
      `${opts.server} does not serve the real-time routes (GET /realtime); ` +
        'use bench/servers/swiftlet.ts or bench/servers/raw-uws.ts',
    )
  }
  const died = server.child.exited.then((info): never => {
    throw new ServerStartError(
      `the server exited during the run (${describeExit(info)}).\n${server.child.stderrTail()}`,
    )
  })
  died.catch(() => {})
  return { origin, port: server.port, core: server.core, pid: server.child.pid, died }
}

async function snapshot(origin: string): Promise<RealtimeSnapshot | undefined> {
  try {
    const res = await probe('GET', `${origin}/realtime`)
    return res.status === 200 ? (JSON.parse(res.body) as RealtimeSnapshot) : undefined
  } catch {
    return undefined
  }
}

/** A control call that must succeed; anything else ends the run (exit 1). */
async function control(origin: string, path: string, status: number): Promise<string> {
  const res = await probe('POST', `${origin}${path}`)
  if (res.status !== status) throw new ServerStartError(`POST ${path} answered ${res.status}: ${res.body}`)
  return res.body
}

/** One complete real-time run; returns the exit code. */
export async function runRealtime(
  opts: Options,
  scenario: RealtimeScenario,
  env: RealtimeEnv,
): Promise<number> {
  const startedAt = new Date()
  const log = (line: string) => env.progress.log(line)
  const needs = fileNeeds(opts.connections, 'timer')
  preflightFileLimits(needs, log)
  const server = await startRealtimeServer(opts, env)
  const rssBeforeKb = processRssKb(server.pid)
  const gen = startRealtimeGenerator(
    env.cwd,
    (phase, elapsedS, open, deliveries) =>
      env.progress.update(
        `${phase.padEnd(7)} ${elapsedS.toFixed(0).padStart(3)} s  open ${formatInt(open).padStart(7)}` +
          (scenario.broadcast ? `  deliveries ${formatInt(deliveries).padStart(11)}` : ''),
      ),
    (line) => log(`generator | ${line}`),
  )
  env.children.push(gen.child)
  const files = checkChildFileLimits(needs, server.pid, gen.child.pid, log)
  const config: RealtimeConfig = {
    kind: scenario.name,
    url: `${scenario.scheme}://127.0.0.1:${server.port}${scenario.path}`,
    connections: opts.connections,
    connectConcurrency: CONNECT_CONCURRENCY,
    handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
    connectDeadlineS: CONNECT_DEADLINE_S,
    graceMs: GRACE_MS,
  }
  log(
    `target ${config.url} (${server.core}); ${opts.connections} clients, ${CONNECT_CONCURRENCY} handshakes at a time`,
  )
  const cpuConnect = sampleCpu(server.pid)
  const deadlineS =
    CONNECT_DEADLINE_S + HANDSHAKE_TIMEOUT_MS / 1000 + opts.warmupS + opts.durationS + GRACE_MS / 1000 + 60
  gen.begin(config, deadlineS)
  const connect = await Promise.race([gen.connected, server.died])
  const connectCpu = cpuBetween(cpuConnect, sampleCpu(server.pid), clockTicksPerSecond())
  env.progress.finish()
  log(
    `connected ${formatInt(connect.opened)} of ${formatInt(opts.connections)} in ${connect.seconds.toFixed(1)} s ` +
      `(${connect.errors} errors); warm-up ${opts.warmupS} s, then a ${opts.durationS} s window`,
  )
  if (scenario.broadcast) await control(server.origin, `/realtime/start?intervalMs=${opts.intervalMs}`, 204)
  await Promise.race([sleep(opts.warmupS * 1000), server.died])
  const overflowsBefore = listenOverflows()
  const cpuBefore = sampleCpu(server.pid)
  gen.send({ type: 'go' })
  await Promise.race([sleep(opts.durationS * 1000), server.died])
  gen.send({ type: 'stop' })
  const cpuAfter = sampleCpu(server.pid)
  const serverRssKb = processRssKb(server.pid)
  const overflowsAfter = listenOverflows()
  const serverSnapshot = await snapshot(server.origin)
  const publish = scenario.broadcast
    ? (JSON.parse(await control(server.origin, '/realtime/stop', 200)) as PublishStats)
    : undefined
  const result = await Promise.race([gen.result, server.died])
  env.progress.finish()
  const report = buildRealtimeReport({
    scenario,
    core: server.core,
    url: config.url,
    connections: opts.connections,
    warmupS: opts.warmupS,
    durationS: opts.durationS,
    intervalMs: opts.intervalMs,
    client: result.client,
    clientVersion: result.clientVersion,
    connect,
    window: result.summary,
    serverRssBeforeKb: rssBeforeKb,
    serverRssKb,
    serverConnectCpuUs: connectCpu.cpuUs,
    serverCpu: cpuBetween(cpuBefore, cpuAfter, clockTicksPerSecond()),
    publish,
    serverSnapshot,
    listenOverflows:
      overflowsBefore === undefined || overflowsAfter === undefined
        ? undefined
        : overflowsAfter - overflowsBefore,
    openFiles: { ...files.limits, needed: Math.max(needs.server, needs.generator) },
    warnings: files.warnings,
    startedAt,
  })
  return env.emit(report, renderRealtimeSummary(report))
}
