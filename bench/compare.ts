/**
 * `npm run bench:compare`: the same scenarios against Swiftlet and its peers (bench/servers/*.ts). Each run is
 * one `npm run loadtest` in its own process with a fresh server; servers alternate within a round (A B A B …)
 * so slow drifts of a shared machine hit every server alike; the figures are medians over the rounds, and
 * Swiftlet is divided by raw uWS (the ceiling) and by Fastify. See docs/load-testing.md.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, release, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { COMPARE_HELP, parseCompareOptions } from './lib/compare-options.js'
import type { CompareOptions } from './lib/compare-options.js'
import { ratios, summarise } from './lib/compare-stats.js'
import type { CompareRun } from './lib/compare-stats.js'
import { renderCompareTable } from './lib/compare-table.js'
import { writeHtmlReport } from './lib/html-report.js'
import { UsageError } from './lib/options.js'
import { formatInt } from './lib/progress.js'
import type { Report } from './lib/report.js'
import { frameworkVersions } from './lib/versions.js'

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url))
const LOADTEST = fileURLToPath(new URL('./loadtest.ts', import.meta.url))
/** Start-up, warm-up extension and shutdown of one run, beyond its warm-up and window, in s (an estimate). */
const OVERHEAD_S = 5
let current: ReturnType<typeof spawn> | undefined

/** One point of the sweep. */
interface Point {
  scenario: string
  connections: number
  ioDelayMs: number
}

function points(opts: CompareOptions): Point[] {
  return opts.scenarios.flatMap((scenario) =>
    opts.connections.flatMap((connections) =>
      opts.ioDelays.map((ioDelayMs) => ({ scenario, connections, ioDelayMs })),
    ),
  )
}

/** Runs one `loadtest` child and returns its JSON report, or the reason it failed. */
function runOnce(server: string, point: Point, opts: CompareOptions, dir: string): Promise<Report | string> {
  const file = join(dir, `${server}-${point.scenario}-${point.connections}-${point.ioDelayMs}.json`)
  const args = [
    ...['--import', 'tsx', LOADTEST, '--server', `bench/servers/${server}.ts`, '--scenario', point.scenario],
    ...['--connections', String(point.connections), '--io-delay', String(point.ioDelayMs)],
    ...['--duration', String(opts.durationS), '--warmup', String(opts.warmupS), '--json', file],
    ...(opts.generator === 'wrk' ? ['--generator', 'wrk'] : []),
  ]
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    current = child
    let output = ''
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000))
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    // The loadtest bounds itself; this is the last resort if it hangs anyway.
    const limitMs = (opts.warmupS + opts.durationS + 15 + 90) * 1000
    const timer = setTimeout(() => child.kill('SIGTERM'), limitMs)
    child.on('exit', (code) => {
      clearTimeout(timer)
      current = undefined
      if (code !== 0) return resolve(`loadtest exited with ${code}:\n${output.trim()}`)
      try {
        resolve(JSON.parse(readFileSync(file, 'utf8')) as Report)
      } catch (error) {
        resolve(`no JSON report: ${error instanceof Error ? error.message : error}`)
      }
    })
  })
}

function describe(report: Report): string {
  const cpu = report.serverCpuUsPerRequest === null ? '?' : report.serverCpuUsPerRequest.toFixed(1)
  const errors = report.errors + report.non2xx
  return (
    `${formatInt(report.requestsPerSecond)} req/s, p99 ${report.latencyP99Ms} ms, ${cpu} µs/req, ` +
    `RSS ${report.serverRssMb ?? '?'} MB, ${errors === 0 ? '0 errors' : `${errors} ERRORS`}`
  )
}

/** Every round runs every point, and within a point every server in turn: A B A B … */
async function runAll(opts: CompareOptions): Promise<{ runs: CompareRun[]; failures: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'swiftlet-compare-'))
  const runs: CompareRun[] = []
  const failures: string[] = []
  const total = opts.rounds * points(opts).length * opts.servers.length
  let n = 0
  try {
    for (let round = 1; round <= opts.rounds; round++) {
      for (const point of points(opts)) {
        for (const server of opts.servers) {
          const label = `[${++n}/${total}] round ${round} ${point.scenario} c=${point.connections} d=${point.ioDelayMs} ${server}`
          const result = await runOnce(server, point, opts, dir)
          if (typeof result === 'string') {
            failures.push(`${label}: ${result}`)
            process.stderr.write(`${label}: FAILED\n${result}\n`)
          } else {
            runs.push({ server, round, report: result })
            process.stderr.write(`${label}: ${describe(result)}\n`)
          }
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return { runs, failures }
}

async function main(argv: string[]): Promise<number> {
  const opts = parseCompareOptions(argv)
  if (opts === 'help') {
    process.stdout.write(COMPARE_HELP)
    return 0
  }
  const total = opts.rounds * points(opts).length * opts.servers.length
  const estimateS = total * (opts.warmupS + opts.durationS + OVERHEAD_S)
  process.stderr.write(
    `${total} runs (${opts.rounds} rounds × ${points(opts).length} points × ${opts.servers.length} servers), ` +
      `about ${Math.ceil(estimateS / 60)} min; load average now ${loadavg()[0]?.toFixed(2)}\n`,
  )
  const startedAt = new Date()
  const { runs, failures } = await runAll(opts)
  const rows = summarise(runs)
  const ratioRows = ratios(rows, ['raw-uws', 'fastify'], runs)
  process.stdout.write(renderCompareTable(rows, ratioRows))
  const document = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? '?',
      kernel: release(),
      node: process.version,
    },
    loadAverageAtEnd: loadavg(),
    versions: frameworkVersions(),
    settings: { ...opts, json: undefined, html: undefined },
    results: rows,
    ratios: ratioRows,
    failures,
    runs: runs.map((r) => ({ server: r.server, round: r.round, ...r.report })),
  }
  if (opts.json !== undefined) writeFileSync(opts.json, `${JSON.stringify(document, null, 2)}\n`)
  if (opts.html !== undefined) writeHtmlReport(opts.html, document)
  if (failures.length > 0) process.stderr.write(`\n${failures.length} run(s) FAILED; see above.\n`)
  return failures.length > 0 ? 1 : 0
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // The loadtest child stops its own server and generator on SIGTERM.
    current?.kill('SIGTERM')
    process.exitCode = 130
  })
}

try {
  process.exitCode = await main(process.argv.slice(2))
} catch (error) {
  if (!(error instanceof UsageError)) throw error
  process.stderr.write(`${error.message}\nSee --help.\n`)
  process.exitCode = 2
}
