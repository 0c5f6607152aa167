/**
 * The wrk generator, run as a child like generator.ts and speaking the same protocol. wrk (Debian package,
 * C, one thread here) reaches about twice autocannon's rate on these machines, so it is the generator for
 * peak figures and for C10K. wrk reports only at its end and cannot be paused, so ONE wrk run covers warm-up
 * and window (a second run would reopen every connection inside the window: at 10,000 connections that
 * overflows the accept queue and costs seconds of SYN retries). The harness then counts the window's
 * responses on the server (`GET /stats` `requests`, over the same interval as the server CPU), while the
 * latency percentiles and the error counts are wrk's, over the whole run, warm-up included (marked so).
 * Without `/stats`, wrk's totals over the whole run are used. A Lua `done()` hook prints wrk's
 * totals and percentiles as JSON; wrk's CPU is read from this process's reaped-children times.
 *
 * Not meant to be run by hand.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { nextMessage, runGeneratorMain, send } from './generator-ipc.js'
import type { GeneratorConfig, TimedRunSummary } from './protocol.js'

const lua = (s: string) => JSON.stringify(s) // a JSON string is a valid Lua string literal for these inputs

/** The Lua script: the request, and a done() hook that prints one `WRKJSON {...}` line. */
function script(config: GeneratorConfig): string {
  const headers = Object.entries(config.headers ?? {}).map(([k, v]) => `wrk.headers[${lua(k)}] = ${lua(v)}`)
  const fields = ['requests', 'duration', 'connect', 'read', 'write', 'status', 'timeout']
  return [
    `wrk.method = ${lua(config.method ?? 'GET')}`,
    ...(config.body === undefined ? [] : [`wrk.body = ${lua(config.body)}`]),
    ...headers,
    'done = function(s, latency, requests)',
    '  local e = s.errors',
    `  io.write(string.format('WRKJSON {"requests":%d,"duration":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..`,
    `    '"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"mean":%f}\\n', s.requests, s.duration, e.connect, e.read,`,
    '    e.write, e.status, e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),',
    '    latency:percentile(99.9), latency.max, latency.mean))',
    'end',
    `-- fields: ${fields.join(', ')}`,
  ].join('\n')
}

/** User + system CPU of reaped children (wrk), in µs, from /proc/self/stat (cutime, cstime). */
function childrenCpuUs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // After the comm field: index 13 and 14 are cutime and cstime (fields 16 and 17 of proc(5)), in ticks.
  return ((Number(fields[13]) + Number(fields[14])) * 1e6) / 100
}

interface WrkTotals {
  requests: number
  duration: number
  connect: number
  read: number
  write: number
  status: number
  timeout: number
  p50: number
  p90: number
  p99: number
  p999: number
  max: number
  mean: number
}

/** Runs wrk for `seconds` and returns its totals; rejects if it fails or prints no totals. */
function runWrk(config: GeneratorConfig, scriptFile: string, seconds: number, phase: 'warmup' | 'timed') {
  const args = [
    '-t1',
    `-c${config.connections}`,
    `-d${Math.round(seconds)}s`,
    `--timeout`,
    `${config.timeoutS}s`,
  ]
  const child = spawn('wrk', [...args, '-s', scriptFile, config.url], { stdio: ['ignore', 'pipe', 'pipe'] })
  const started = performance.now()
  const ticker = setInterval(() => {
    void send({
      type: 'progress',
      phase,
      elapsedS: (performance.now() - started) / 1000,
      responses: 0,
      rps: 0,
    })
  }, 1000)
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  return new Promise<WrkTotals>((resolve, reject) => {
    child.on('error', (error) =>
      reject(new Error(`could not run wrk (apt-get install wrk): ${error.message}`)),
    )
    child.on('exit', (code) => {
      clearInterval(ticker)
      const line = /^WRKJSON (.*)$/m.exec(output)?.[1]
      if (code !== 0 || line === undefined) return reject(new Error(`wrk failed (exit ${code}):\n${output}`))
      resolve(JSON.parse(line) as WrkTotals)
    })
  })
}

/** wrk's totals over its whole run; the harness replaces the counts with the server's for the window. */
function summarise(t: WrkTotals, cpuUs: number): TimedRunSummary {
  const errors = t.connect + t.read + t.write + t.timeout
  const ms = (us: number) => Math.round(us / 100) / 10
  // wrk counts non-2xx/3xx responses as `status` errors; everything else it completed was a success.
  return {
    windowS: t.duration / 1e6,
    responses2xx: t.requests - t.status,
    responsesTotal: t.requests,
    errors,
    timeouts: t.timeout,
    non2xx: t.status,
    statusCodes: {},
    latency: {
      p50: ms(t.p50),
      p90: ms(t.p90),
      p99: ms(t.p99),
      p999: ms(t.p999),
      max: ms(t.max),
      mean: ms(t.mean),
      count: t.requests,
    },
    cpuUserUs: cpuUs,
    cpuSystemUs: 0,
    maxRssKb: 0,
  }
}

/** One wrk run over warm-up and window; the harness counts the window on the server. */
async function oneRun(config: GeneratorConfig, file: string) {
  const cpuBefore = childrenCpuUs()
  const wrk = runWrk(config, file, config.warmupS + config.durationS, 'timed')
  wrk.catch(() => {})
  await Promise.race([sleep(config.warmupS * 1000), wrk])
  // wrk says nothing until it ends: the warm-up counts are unknown, and "answered" is assumed.
  const answered = config.connections
  await send({ type: 'warmup-done', seconds: config.warmupS, responses: 0, errors: 0, non2xx: 0, answered })
  await Promise.race([nextMessage('go'), wrk])
  const totals = await wrk
  // wrk's CPU is known for the whole run only: the window's share of it is pro rata.
  const share = config.durationS / (config.warmupS + config.durationS)
  return { totals, cpuUs: (childrenCpuUs() - cpuBefore) * share }
}

/** A warm-up wrk run, then the window's own run (which reopens its connections: fine at low counts). */
async function twoRuns(config: GeneratorConfig, file: string) {
  const warm = config.warmupS > 0 ? await runWrk(config, file, config.warmupS, 'warmup') : undefined
  const errors = warm === undefined ? 0 : warm.connect + warm.read + warm.write + warm.timeout
  const [responses, non2xx] = [warm?.requests ?? 0, warm?.status ?? 0]
  await send({
    type: 'warmup-done',
    seconds: config.warmupS,
    responses,
    errors,
    non2xx,
    answered: config.connections,
  })
  await nextMessage('go')
  const cpuBefore = childrenCpuUs()
  const totals = await runWrk(config, file, config.durationS, 'timed')
  return { totals, cpuUs: childrenCpuUs() - cpuBefore }
}

async function main(): Promise<void> {
  const { config } = await nextMessage('start')
  const dir = mkdtempSync(join(tmpdir(), 'swiftlet-wrk-'))
  try {
    const file = join(dir, 'request.lua')
    writeFileSync(file, script(config))
    const run = config.serverCountsWindow ? oneRun : twoRuns
    const { totals, cpuUs } = await run(config, file)
    await send({ type: 'result', summary: summarise(totals, cpuUs), autocannonVersion: '4.1 (Debian)' })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

runGeneratorMain(main, (message) => send({ type: 'failed', message }))
