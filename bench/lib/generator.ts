/**
 * The load generator, run as its own child process (`node --import tsx bench/lib/generator.ts`) so that
 * its CPU use is separate from the harness's and from the server's. It talks to the harness over IPC
 * (see protocol.ts).
 *
 * One autocannon run carries the warm-up and the timed window, so the window starts on connections that
 * are already open and busy. A second run would reconnect every socket at the start of the window: with
 * 1000 connections that overflows the server's accept queue (511 in Node, 512 in uSockets), and the
 * dropped SYNs come back after a 1 s retransmit, which measured as p99 > 1.2 s and a lost first second.
 *
 * Not meant to be run by hand.
 */
import { createRequire } from 'node:module'
import { setTimeout as sleep } from 'node:timers/promises'
import autocannon from 'autocannon'
import type { Instance, Result } from 'autocannon'
import { nextMessage, PhaseCounts, runGeneratorMain, send, startTicker, summarise } from './generator-ipc.js'
import type { GeneratorConfig } from './protocol.js'

const autocannonVersion = (createRequire(import.meta.url)('autocannon/package.json') as { version: string })
  .version

/** Starts autocannon and returns its instance and a promise that settles when it ends. */
function startAutocannon(config: GeneratorConfig, current: () => PhaseCounts) {
  let instance: Instance | undefined
  const ended = new Promise<Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: config.url,
        method: (config.method ?? 'GET') as 'GET',
        headers: config.headers ?? {},
        ...(config.body === undefined ? {} : { body: config.body }),
        connections: config.connections,
        // Only a safety bound: the generator stops autocannon itself when the window closes.
        duration: config.warmupS + config.durationS + config.timeoutS + 60,
        timeout: config.timeoutS,
        // Exactly one request in flight per connection: a closed loop, so `connections` is the concurrency
        // Little's law talks about. Pipelining is also unusable here: on the uWS core, a second pipelined
        // request arriving while an async handler is pending aborts the first and nothing is written
        // (uWS issue #1301, see UWS-NOTES), so a pipelined run would measure zero bytes, not the framework.
        pipelining: 1,
        // Checked often so stop() takes effect promptly; the per-second samples it drives are not used.
        sampleInt: 100,
      },
      (error: unknown, result: Result) => {
        if (error) reject(error instanceof Error ? error : new Error(String(error)))
        else resolve(result)
      },
    )
  })
  if (instance === undefined) throw new Error('autocannon did not return an instance')
  instance.on('response', (client, statusCode: number, _bytes, responseTime: number) => {
    current().response(client, Number(statusCode), responseTime)
  })
  instance.on('reqError', (error: unknown) => current().error(error))
  return { instance, ended }
}

/** Rejects when autocannon ends on its own: until the window closes it may only end by failing. */
function endedEarly(ended: Promise<Result>): Promise<never> {
  const early = ended.then((): never => {
    throw new Error('autocannon ended before the timed window closed')
  })
  early.catch(() => {})
  return early
}

/**
 * Connections refused by a full accept queue retry their SYN after 1 s, 3 s, 7 s, 15 s: with many
 * connections some are only established seconds into the run. The warm-up therefore lasts `warmupS` and
 * then until every connection has had a response, for at most this much longer.
 */
const MAX_WARMUP_EXTENSION_S = 15

/** Runs the warm-up; resolves with its real length in seconds. `warmupS` 0 skips it, ramp-up included. */
async function warmUp(config: GeneratorConfig, counts: PhaseCounts, early: Promise<never>): Promise<number> {
  await Promise.race([sleep(config.warmupS * 1000), early])
  if (config.warmupS === 0) return 0
  const limit = counts.startedAt + (config.warmupS + MAX_WARMUP_EXTENSION_S) * 1000
  while (counts.answered.size < config.connections && performance.now() < limit) {
    await Promise.race([sleep(100), early])
  }
  return (performance.now() - counts.startedAt) / 1000
}

async function main(): Promise<void> {
  const { config } = await nextMessage('start')
  let counts = new PhaseCounts('warmup')
  const { instance, ended } = startAutocannon(config, () => counts)
  let ticker = startTicker(() => counts)
  const early = endedEarly(ended)
  const seconds = await warmUp(config, counts, early)
  const { total: responses, errors, non2xx } = counts
  await send({ type: 'warmup-done', seconds, responses, errors, non2xx, answered: counts.answered.size })
  await Promise.race([nextMessage('go'), early])
  const cpuBefore = process.cpuUsage()
  counts = new PhaseCounts('timed')
  // Restarted so the progress lines count whole seconds of the window.
  clearInterval(ticker)
  ticker = startTicker(() => counts)
  await Promise.race([sleep(config.durationS * 1000), early])
  const window = counts
  const windowS = (performance.now() - window.startedAt) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  // Closed before stopping autocannon: whatever happens while its sockets close is outside the window.
  counts = new PhaseCounts('timed')
  clearInterval(ticker)
  await send({ type: 'result', summary: summarise(window, windowS, cpu), autocannonVersion })
  instance.stop()
  await Promise.race([ended, sleep(2000)])
}

runGeneratorMain(main, (message) => send({ type: 'failed', message }))
