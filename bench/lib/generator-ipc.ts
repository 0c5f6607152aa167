/**
 * What both generator children share (autocannon's, generator.ts, and the open loop's, open-loop.ts): the
 * IPC helpers, the per-phase counts, the progress ticker and the summary of the window.
 */
import { LatencyHistogram } from './latency-histogram.js'
import type { GeneratorMessage, ParentMessage, Phase, TimedRunSummary } from './protocol.js'

/** Sends one message to the harness and resolves once it is written. */
export function send(message: GeneratorMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) throw new Error('generator.ts must be started with an IPC channel')
    process.send(message, undefined, {}, () => resolve())
  })
}

/**
 * Runs a generator child's `main()`: exits 0 when it resolves; when it fails, reports the error through
 * `report` (an IPC `failed` message) and exits 1. Ctrl-C reaches the whole process group and is ignored (the
 * harness decides when a generator stops, and kills it); when the harness goes away, so does the child.
 */
export function runGeneratorMain(
  main: () => Promise<void>,
  report: (message: string) => Promise<void>,
): void {
  process.on('SIGINT', () => {})
  process.on('disconnect', () => process.exit(1))
  main().then(
    () => process.exit(0),
    async (error: unknown) => {
      await report(error instanceof Error ? (error.stack ?? error.message) : String(error))
      process.exit(1)
    },
  )
}

/** Resolves with the next parent message of the given type. */
export function nextMessage<T extends ParentMessage['type']>(
  type: T,
): Promise<Extract<ParentMessage, { type: T }>> {
  return new Promise((resolve) => {
    const onMessage = (message: ParentMessage) => {
      if (message.type !== type) return
      process.off('message', onMessage)
      resolve(message as Extract<ParentMessage, { type: T }>)
    }
    process.on('message', onMessage)
  })
}

/** Counts for one phase (warm-up or window), fed by autocannon's per-response and per-error events. */
export class PhaseCounts {
  readonly startedAt = performance.now()
  readonly latency = new LatencyHistogram()
  readonly statusCodes: Record<string, number> = {}
  /** autocannon clients (one per connection) that have had a response; tracked during the warm-up only. */
  readonly answered = new Set<unknown>()
  total = 0
  ok2xx = 0
  non2xx = 0
  errors = 0
  timeouts = 0

  constructor(readonly phase: Phase) {}

  response(client: unknown, statusCode: number, latencyMs: number): void {
    if (this.phase === 'warmup') this.answered.add(client)
    this.total++
    if (statusCode >= 200 && statusCode < 300) this.ok2xx++
    else this.non2xx++
    this.statusCodes[statusCode] = (this.statusCodes[statusCode] ?? 0) + 1
    // autocannon puts every response, 2xx or not, into its latency histogram; so does this one.
    this.latency.record(latencyMs)
  }

  error(error: unknown): void {
    this.errors++
    // autocannon reports a timeout as an error with exactly this message (lib/run.js).
    // undici (the open loop) says so with a code.
    const code = (error as { code?: unknown } | null)?.code
    if (error instanceof Error && error.message === 'request timed out') this.timeouts++
    else if (typeof code === 'string' && code.endsWith('_TIMEOUT')) this.timeouts++
  }
}

/** Sends one progress message per second for whichever phase is current. */
export function startTicker(current: () => PhaseCounts): NodeJS.Timeout {
  let last = { counts: current(), total: 0, at: performance.now() }
  return setInterval(() => {
    const counts = current()
    const now = performance.now()
    if (counts !== last.counts) last = { counts, total: 0, at: counts.startedAt }
    const rps = ((counts.total - last.total) * 1000) / (now - last.at)
    last = { counts, total: counts.total, at: now }
    const elapsedS = (now - counts.startedAt) / 1000
    void send({ type: 'progress', phase: counts.phase, elapsedS, responses: counts.total, rps })
  }, 1000)
}

/** The window's counts as the harness wants them. */
export function summarise(w: PhaseCounts, windowS: number, cpu: NodeJS.CpuUsage): TimedRunSummary {
  return {
    windowS,
    responses2xx: w.ok2xx,
    responsesTotal: w.total,
    errors: w.errors,
    timeouts: w.timeouts,
    non2xx: w.non2xx,
    statusCodes: w.statusCodes,
    latency: w.latency.stats(),
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
    maxRssKb: process.resourceUsage().maxRSS,
  }
}
