/**
 * Event-loop monitor: finds the handlers that block the loop. A sampler timer notices a stall (it ran late
 * by more than `thresholdMs`); the requests in flight during that stall are the suspects, logged at warn
 * with their route pattern. `perf_hooks.monitorEventLoopDelay` keeps the delay distribution beside it.
 */
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks'
import type { App } from '../app.js'
import type { MiddlewareHandler, Next } from '../compose.js'
import type { Context as AnyContext, Params } from '../context.js'
import type { Logger } from '../logger.js'

/** Options for {@link loopMonitor}. */
export interface LoopMonitorOptions {
  /** A stall at least this long is reported, in ms. @default 50 */
  thresholdMs?: number
  /** How often the sampler timer runs, in ms: a stall is seen at most this late. @default 20 */
  intervalMs?: number
  /** Resolution of the `monitorEventLoopDelay` histogram, in ms. @default 10 */
  resolutionMs?: number
  /** Where the warnings go. @default the app logger */
  log?: Logger
  /** Called for each report too (count them in a metric, for instance). */
  onBlocked?: (report: BlockedReport) => void
}

/** One suspect of one stall, as logged. */
export interface BlockedReport {
  /** How long the loop was blocked, in ms. */
  blockedMs: number
  /** The matched route pattern (`/users/:id`), or `unmatched`. */
  route: string
  method: string
  reqId: string
  /** How many requests were suspects of this stall: 1 means this one did it. */
  suspects: number
}

/** Event-loop delay figures, in ms. */
export interface LoopDelayStats {
  p50Ms: number
  p99Ms: number
  maxMs: number
  /** Stalls reported since start. */
  stalls: number
}

/** The monitor {@link loopMonitor} installed. */
export interface LoopMonitor {
  /** The `monitorEventLoopDelay` histogram (values in ns, whole intervals: the resolution included). */
  readonly delay: IntervalHistogram
  /**
   * Delay percentiles beyond the expected tick, since start (or the last `reset()` of `delay`), and the
   * stall count.
   */
  stats(): LoopDelayStats
  /** Stops the timer and the histogram (done by `app.close()` too). */
  stop(): void
}

interface InFlight {
  readonly ctx: Context
  readonly start: number
  end: number
}

type Context = AnyContext<Params, object>

const NS_PER_MS = 1e6

/**
 * Installs the event-loop monitor on `app`: an app-level middleware (only requests after it in the onion
 * are timed, so call it first), a sampler timer (unref'd, stopped on `app.close()`), and the histogram.
 * A stall is blamed on every request in flight for at least `thresholdMs` of it; one suspect means
 * that request blocked the loop, several mean one of them did (the others were awaiting).
 * @example `loopMonitor(app, { thresholdMs: 50 })` logs `{"route":"/report/:id","blockedMs":212,...}`
 * @throws RangeError for a threshold or interval that is not a positive number of ms.
 */
export function loopMonitor<S extends object>(app: App<S>, options: LoopMonitorOptions = {}): LoopMonitor {
  const thresholdMs = options.thresholdMs ?? 50
  const intervalMs = options.intervalMs ?? 20
  if (!(thresholdMs > 0) || !(intervalMs > 0)) throw new RangeError('loopMonitor: ms must be positive')
  const log = options.log ?? app.log
  const resolutionMs = options.resolutionMs ?? 10
  const delay = monitorEventLoopDelay({ resolution: resolutionMs })
  delay.enable()
  const inFlight = new Set<InFlight>()
  let finished: InFlight[] = []
  let stalls = 0
  let last = performance.now()

  const report = (blockedMs: number, from: number, to: number): void => {
    stalls++
    const suspects = [...inFlight, ...finished].filter(
      (entry) => Math.min(entry.end || to, to) - Math.max(entry.start, from) >= thresholdMs,
    )
    for (const line of reports(suspects, blockedMs)) {
      log.warn(line, 'event loop blocked')
      options.onBlocked?.(line)
    }
  }
  const timer = setInterval(() => {
    const now = performance.now()
    const lag = now - last - intervalMs
    if (lag >= thresholdMs) report(lag, last, now)
    last = now
    finished = []
  }, intervalMs)
  timer.unref()

  app.use(monitorMiddleware(inFlight, (entry) => finished.push(entry)))
  const stop = (): void => {
    clearInterval(timer)
    delay.disable()
  }
  app.onShutdown(stop)
  return { delay, stop, stats: () => delayStats(delay, resolutionMs, stalls) }
}

function reports(suspects: readonly InFlight[], blockedMs: number): BlockedReport[] {
  return suspects.map(({ ctx }) => ({
    blockedMs: Math.round(blockedMs),
    route: ctx.routePattern ?? 'unmatched',
    method: ctx.method,
    reqId: ctx.id,
    suspects: suspects.length,
  }))
}

function monitorMiddleware(
  inFlight: Set<InFlight>,
  done: (entry: InFlight) => void,
): MiddlewareHandler<object> {
  return async function loopMonitor(ctx: Context, next: Next): Promise<void> {
    const entry: InFlight = { ctx, start: performance.now(), end: 0 }
    inFlight.add(entry)
    try {
      await next()
    } finally {
      entry.end = performance.now()
      inFlight.delete(entry)
      done(entry)
    }
  }
}

/** The histogram records whole timer intervals: the resolution is subtracted, so an idle loop reads 0. */
function delayStats(delay: IntervalHistogram, resolutionMs: number, stalls: number): LoopDelayStats {
  const ms = (ns: number): number => Math.max(0, Math.round((ns / NS_PER_MS - resolutionMs) * 1000) / 1000)
  return {
    p50Ms: ms(delay.percentile(50)),
    p99Ms: ms(delay.percentile(99)),
    maxMs: ms(delay.max),
    stalls,
  }
}
