/**
 * The open-loop generator, run as its own child process like generator.ts and speaking the same protocol.
 *
 * A closed loop (autocannon, wrk) sends the next request only when the previous one is answered, so when the
 * server stalls the generator stalls with it and the stall is recorded once, not for every request that
 * should have been sent meanwhile: coordinated omission. Here request i is *scheduled* at
 * `start + i / rate`, whatever happened before, and its latency is measured from that scheduled time, as
 * wrk2 does. Requests go through an undici Pool of `connections` keep-alive connections without pipelining;
 * a request waiting for a free connection is waiting, and that wait counts.
 *
 * Not meant to be run by hand.
 */
import { createRequire } from 'node:module'
import { setTimeout as sleep } from 'node:timers/promises'
import { Pool } from 'undici'
import { nextMessage, PhaseCounts, runGeneratorMain, send, startTicker, summarise } from './generator-ipc.js'
import type { GeneratorConfig } from './protocol.js'

const undiciVersion = (createRequire(import.meta.url)('undici/package.json') as { version: string }).version

/** A request issued at its scheduled time; the latency includes any wait for a connection. */
function issue(
  pool: Pool,
  config: GeneratorConfig,
  path: string,
  scheduledAt: number,
  counts: () => PhaseCounts,
) {
  pool
    .request({
      path,
      method: (config.method ?? 'GET') as 'GET',
      headers: config.headers ?? {},
      body: config.body,
      headersTimeout: config.timeoutS * 1000,
      bodyTimeout: config.timeoutS * 1000,
    })
    .then(async (res) => {
      await res.body.dump()
      counts().response(null, res.statusCode, performance.now() - scheduledAt)
    })
    .catch((error: unknown) => counts().error(error))
}

/** Runs the schedule until `stop()`; a timer tick issues every request that has come due since the last. */
function schedule(config: GeneratorConfig, counts: () => PhaseCounts) {
  const url = new URL(config.url)
  const path = `${url.pathname}${url.search}`
  const pool = new Pool(url.origin, { connections: config.connections, pipelining: 1 })
  const rate = config.rate ?? 1
  const startedAt = performance.now()
  // More than this many requests waiting would only measure the generator's memory: count them as errors.
  const maxQueued = Math.max(1000, rate * config.timeoutS)
  let sent = 0
  const tick = setInterval(() => {
    const due = Math.floor(((performance.now() - startedAt) * rate) / 1000)
    for (; sent < due; sent++) {
      const scheduledAt = startedAt + (sent * 1000) / rate
      if (pool.stats.queued > maxQueued) counts().error(new Error('generator queue full'))
      else issue(pool, config, path, scheduledAt, counts)
    }
  }, 1)
  return {
    stop: async () => {
      clearInterval(tick)
      await Promise.race([pool.destroy(), sleep(2000)])
    },
  }
}

async function main(): Promise<void> {
  const { config } = await nextMessage('start')
  let counts = new PhaseCounts('warmup')
  const run = schedule(config, () => counts)
  let ticker = startTicker(() => counts)
  await sleep(config.warmupS * 1000)
  const { total: responses, errors, non2xx } = counts
  // A pool opens connections as the rate needs them: "answered" is not meaningful here.
  await send({
    type: 'warmup-done',
    seconds: config.warmupS,
    responses,
    errors,
    non2xx,
    answered: config.connections,
  })
  await nextMessage('go')
  const cpuBefore = process.cpuUsage()
  counts = new PhaseCounts('timed')
  clearInterval(ticker)
  ticker = startTicker(() => counts)
  await sleep(config.durationS * 1000)
  const window = counts
  const windowS = (performance.now() - window.startedAt) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  counts = new PhaseCounts('timed')
  clearInterval(ticker)
  await send({ type: 'result', summary: summarise(window, windowS, cpu), autocannonVersion: undiciVersion })
  await run.stop()
}

runGeneratorMain(main, (message) => send({ type: 'failed', message }))
