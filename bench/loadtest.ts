/**
 * `npm run loadtest`: closed-loop load test of the example API (or another loopback server).
 *
 * Starts the server as a child, runs autocannon in a second child (bench/lib/generator.ts) with a warm-up
 * that is not counted, measures the timed window from totals, reads the server's CPU from /proc and its
 * in-flight gauge from /stats, and prints a summary (and JSON with --json). See docs/load-testing.md.
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { ManagedChild } from './lib/children.js'
import { describeExit } from './lib/children.js'
import { checkChildFileLimits, FileLimitRefused, fileNeeds, preflightFileLimits } from './lib/file-limits.js'
import type { FileNeeds } from './lib/file-limits.js'
import { GeneratorError, startGenerator } from './lib/generator-client.js'
import type { GeneratorRun, WarmupInfo } from './lib/generator-client.js'
import { checkHealth, fetchStats, resetStats } from './lib/http-probe.js'
import type { ServerStats } from './lib/http-probe.js'
import { HELP, parseOptions, UsageError } from './lib/options.js'
import type { Options } from './lib/options.js'
import {
  clockTicksPerSecond,
  cpuBetween,
  listenOverflows,
  processCpuTicks,
  processRssKb,
  sampleCpu,
} from './lib/proc-stats.js'
import { formatInt, ProgressLine } from './lib/progress.js'
import { buildReport, serverCounted } from './lib/report.js'
import { renderSummary } from './lib/summary-table.js'
import type { Measurements } from './lib/report.js'
import { ServerStartError, startServer } from './lib/server.js'
import { findScenario } from './lib/scenarios.js'
import type { Scenario } from './lib/scenarios.js'
import { localTarget, REMOTE_WARNING, resolveTarget, TargetRefused } from './lib/target.js'
import type { Target } from './lib/target.js'
import { runRealtime } from './lib/ws-run.js'
import { findRealtimeScenario } from './lib/ws-scenarios.js'

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url))
/** Per-request timeout of the generator, in seconds (autocannon's default, stated so it is documented). */
const REQUEST_TIMEOUT_S = 10

const progress = new ProgressLine()
const children: ManagedChild[] = []
let interrupted = false

/** The server the run talks to: started here, or already running (--url). */
interface ServerUnderTest {
  target: Target
  core: string
  pid: number | undefined
  /** Settles if a server started here exits during the run (never for --url). */
  died: Promise<never>
}

/** Starts the example API (or --server script) and waits until it listens and is healthy. */
async function startOwnServer(opts: Options): Promise<ServerUnderTest> {
  progress.log(`starting ${opts.server} (IO_DELAY_MS=${opts.ioDelayMs}) ...`)
  const server = await startServer({
    script: opts.server,
    cwd: REPO_ROOT,
    ioDelayMs: opts.ioDelayMs,
    workers: opts.workers,
    onLine: (line) => progress.log(`server | ${line}`),
  })
  children.push(server.child)
  const target = localTarget(server.port, opts.io, scenarioOf(opts).path(opts.io))
  const unhealthy = await checkHealth(target.origin)
  if (unhealthy !== undefined) {
    throw new ServerStartError(`the server listens but is not healthy: ${unhealthy}`)
  }
  const died = server.child.exited.then((info): never => {
    throw new ServerStartError(
      `the server exited during the run (${describeExit(info)}).\n${server.child.stderrTail()}`,
    )
  })
  died.catch(() => {})
  return { target, core: server.core, pid: server.child.pid, died }
}

/** The scenario named by the options (parseOptions has checked the name). */
function scenarioOf(opts: Options): Scenario {
  const scenario = findScenario(opts.scenario)
  if (scenario === undefined) throw new UsageError(`unknown scenario ${opts.scenario}`)
  return scenario
}

/** Checks an already-running server given by --url: it must answer; /health is only a nicety there. */
async function useExternalServer(opts: Options, target: Target): Promise<ServerUnderTest> {
  if (target.note === REMOTE_WARNING) process.stderr.write(`\n${REMOTE_WARNING}\n\n`)
  else if (target.note !== undefined) progress.log(`note: ${target.note}`)
  const unhealthy = await checkHealth(target.origin)
  if (unhealthy !== undefined && !/answered \d+/.test(unhealthy)) {
    throw new ServerStartError(`no server answering at ${target.origin} (GET /health: ${unhealthy})`)
  }
  if (unhealthy !== undefined) progress.log(`note: GET /health: ${unhealthy}; loading ${target.url} anyway`)
  if (opts.serverPid !== undefined && processCpuTicks(opts.serverPid) === undefined) {
    throw new UsageError(`--server-pid ${opts.serverPid}: no such process readable in /proc`)
  }
  const stats = await fetchStats(target.origin)
  const core = stats?.core ?? 'external server (core not reported)'
  return { target, core, pid: opts.serverPid, died: new Promise<never>(() => {}) }
}

function showProgress(opts: Options) {
  return (phase: 'warmup' | 'timed', elapsedS: number, responses: number, rps: number) => {
    const label = phase === 'warmup' ? 'warm-up' : 'timed  '
    const total = phase === 'warmup' ? opts.warmupS : opts.durationS
    // A warm-up past its length is waiting for the last connections to get their first response.
    const waiting = phase === 'warmup' && elapsedS > total + 0.5 ? '  (waiting for every connection)' : ''
    progress.update(
      `${label} ${elapsedS.toFixed(0).padStart(3)}/${total} s  responses ${formatInt(responses).padStart(11)}  ` +
        `current ${formatInt(rps).padStart(8)} req/s${waiting}`,
    )
  }
}

/** Warm-up, baselines, timed window, and the /stats right after it. */
async function measure(opts: Options, server: ServerUnderTest, gen: GeneratorRun) {
  const warmup = await Promise.race([gen.warmupDone, server.died])
  if (opts.warmupS > 0) {
    progress.finish()
    progress.log(
      `warm-up done after ${warmup.seconds.toFixed(1)} s: ${formatInt(warmup.responses)} responses, ` +
        `${warmup.errors} errors, ${warmup.answered} of ${opts.connections} connections answered (not counted)`,
    )
  }
  // The load keeps running while these baselines are taken; the window opens only after them, so the
  // server CPU interval encloses the counting interval (by the few ms of one IPC message).
  const resetOk = await resetStats(server.target.origin)
  const before = resetOk ? await fetchStats(server.target.origin) : undefined
  const overflowsBefore = listenOverflows()
  const cpuBefore = sampleCpu(server.pid)
  gen.go()
  const { summary, autocannonVersion } = await Promise.race([gen.result, server.died])
  const cpuAfter = sampleCpu(server.pid)
  const serverRssKb = processRssKb(server.pid)
  const overflowsAfter = listenOverflows()
  const after = resetOk ? await fetchStats(server.target.origin) : undefined
  progress.finish()
  const serverCpu =
    server.pid === undefined ? undefined : cpuBetween(cpuBefore, cpuAfter, clockTicksPerSecond())
  const listenOverflowsInWindow =
    overflowsBefore === undefined || overflowsAfter === undefined
      ? undefined
      : overflowsAfter - overflowsBefore
  return {
    warmup,
    summary,
    autocannonVersion,
    serverCpu,
    before,
    after,
    listenOverflowsInWindow,
    serverRssKb,
  }
}

/** Warnings about the set-up of the window: an incomplete warm-up, a server with another I/O delay. */
function setupWarnings(opts: Options, warmup: WarmupInfo, after: ServerStats | undefined): string[] {
  const out: string[] = []
  if (opts.warmupS > 0 && warmup.answered < opts.connections && opts.rate === undefined) {
    out.push(
      `only ${warmup.answered} of ${opts.connections} connections had received a response when the window ` +
        `opened (after ${warmup.seconds.toFixed(1)} s of warm-up): connection set-up is inside the window.`,
    )
  }
  if (opts.generator === 'wrk' && scenarioOf(opts).boundDelayMs(opts.ioDelayMs) !== undefined) {
    out.push(
      'wrk: throughput is the server-counted requests in the window (GET /stats), but latency and errors are ' +
        "wrk's over its whole run, warm-up and connection set-up included.",
    )
  }
  if (after?.ioDelayMs !== undefined && after.ioDelayMs !== opts.ioDelayMs) {
    out.push(
      `the server reports an I/O delay of ${after.ioDelayMs} ms but the bound uses --io-delay ${opts.ioDelayMs}.`,
    )
  }
  return out
}

/** Spawns the generator, checks its real open-files limit (and the server's), then starts the load. */
function startLoad(opts: Options, server: ServerUnderTest, needs: FileNeeds) {
  const config = {
    url: server.target.url,
    connections: opts.connections,
    warmupS: opts.warmupS,
    durationS: opts.durationS,
    timeoutS: REQUEST_TIMEOUT_S,
    method: opts.method,
    headers: opts.headers,
    body: opts.body,
    rate: opts.rate,
    generator: opts.generator,
    // The bench servers count only their I/O routes in /stats: without I/O, wrk's own totals count.
    serverCountsWindow: scenarioOf(opts).boundDelayMs(opts.ioDelayMs) !== undefined,
  }
  const onLine = (line: string) => progress.log(`generator | ${line}`)
  const gen = startGenerator(config, REPO_ROOT, showProgress(opts), onLine)
  children.push(gen.child)
  const files = checkChildFileLimits(needs, server.pid, gen.child.pid, (line) => progress.log(line))
  gen.begin()
  return { gen, files }
}

/** Prints the summary and writes --json; a JSON file that cannot be written fails the run (exit 1). */
function output(opts: Options, measurements: Measurements): number {
  const report = buildReport(measurements)
  return emit(opts, report, renderSummary(report))
}

/** Prints a summary and writes the report as --json (shared with the real-time scenarios). */
function emit(opts: Options, report: object, summary: string): number {
  process.stdout.write(summary)
  if (opts.json === undefined) return 0
  try {
    writeFileSync(opts.json, `${JSON.stringify(report, null, 2)}\n`)
  } catch (error) {
    process.stderr.write(
      `could not write --json ${opts.json}: ${error instanceof Error ? error.message : error}\n`,
    )
    return 1
  }
  progress.log(`wrote ${opts.json}`)
  return 0
}

/** One complete run; returns the exit code. */
async function run(opts: Options): Promise<number> {
  const realtime = findRealtimeScenario(opts.scenario)
  if (realtime !== undefined) {
    const env = { cwd: REPO_ROOT, progress, children, emit: (r: object, text: string) => emit(opts, r, text) }
    return runRealtime(opts, realtime, env)
  }
  const startedAt = new Date()
  // Refuse a non-loopback URL before anything else happens.
  const scenario = scenarioOf(opts)
  const external =
    opts.url === undefined
      ? undefined
      : resolveTarget(opts.url, opts.io, {
          allowRemote: opts.allowRemote,
          defaultPath: scenario.path(opts.io),
        })
  const needs = fileNeeds(opts.connections, opts.io)
  preflightFileLimits(needs, (line) => progress.log(line))
  const server = external === undefined ? await startOwnServer(opts) : await useExternalServer(opts, external)
  const loop = opts.rate === undefined ? 'closed loop' : `open loop at ${opts.rate} req/s`
  progress.log(
    `target ${opts.method} ${server.target.url} (${server.core}); ${opts.connections} connections, ${loop}, no pipelining`,
  )
  const { gen, files } = startLoad(opts, server, needs)
  const m = await measure(opts, server, gen)
  const serverRequests = m.before && m.after ? m.after.requests - m.before.requests : undefined
  const countedByServer = opts.generator === 'wrk' && scenario.boundDelayMs(opts.ioDelayMs) !== undefined
  return output(opts, {
    core: server.core,
    url: server.target.url,
    ioKind: server.target.ioKind,
    connections: opts.connections,
    warmupS: opts.warmupS,
    durationS: opts.durationS,
    ioDelayMs: opts.ioDelayMs,
    summary: countedByServer ? serverCounted(m.summary, serverRequests, m.serverCpu) : m.summary,
    autocannonVersion: m.autocannonVersion,
    generator: opts.generator === 'open' ? 'undici open loop' : opts.generator,
    scenario: scenario.name,
    method: opts.method,
    rate: opts.rate,
    // With --url and a custom request, the scenario's bound is still the best guess: the user's --io-delay.
    boundDelayMs: scenario.boundDelayMs(opts.ioDelayMs),
    serverRssKb: m.serverRssKb,
    serverCpu: m.serverCpu,
    listenOverflows: m.listenOverflowsInWindow,
    peakInFlight: m.after?.peakInFlight,
    serverRequests,
    openFiles: { ...files.limits, needed: Math.max(needs.server, needs.generator) },
    warmupActualS: m.warmup.seconds,
    warnings: [...files.warnings, ...setupWarnings(opts, m.warmup, m.after)],
    startedAt,
  })
}

/** Stops every child: the generator first (so the server is not loaded while it shuts down). */
async function stopChildren(): Promise<void> {
  for (const child of [...children].reverse()) await child.stop(5000)
}

/** Maps an error to its message and exit code. */
function failure(error: unknown): { message: string; code: number } {
  if (error instanceof UsageError || error instanceof TargetRefused || error instanceof FileLimitRefused) {
    return { message: error.message, code: 2 }
  }
  if (error instanceof ServerStartError) return { message: `server failed: ${error.message}`, code: 1 }
  if (error instanceof GeneratorError) return { message: error.message, code: 1 }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
  return { message: `loadtest failed: ${message}`, code: 1 }
}

async function main(argv: string[]): Promise<number> {
  let code: number
  try {
    const opts = parseOptions(argv)
    if (opts === 'help') {
      process.stdout.write(HELP)
      return 0
    }
    code = await run(opts)
  } catch (error) {
    if (interrupted) return 130
    progress.finish()
    const f = failure(error)
    process.stderr.write(`\n${f.message}\n${f.code === 2 ? 'See --help.\n' : ''}`)
    code = f.code
  }
  await stopChildren()
  return code
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return
    interrupted = true
    progress.finish()
    process.stderr.write(`\n${signal}: stopping the generator and the server ...\n`)
    void stopChildren().finally(() => process.exit(130))
  })
}

process.exitCode = await main(process.argv.slice(2))
