/**
 * A live dashboard over Server-Sent Events: `sse()` streams a sample of the server's numbers every second
 * (requests served, event-loop delay, memory, a random walk) to a small page (public/, no build step) that
 * reads them with the browser's EventSource. Every sample carries an `id:`; a browser that reconnects sends
 * it back as `Last-Event-ID` and first gets the samples it missed. Streams are never buffered or compressed
 * (the compression middleware in front leaves `text/event-stream` alone), a heartbeat comment keeps idle
 * proxies from closing them, and each stream is ended after a minute so clients reconnect and spread over
 * the servers behind a load balancer (the page shows how often, and that nothing was missed).
 *
 *   npm run example -- sse-dashboard     then open http://127.0.0.1:3000/
 *   curl -N http://127.0.0.1:3000/events                                the raw stream
 *   curl -N http://127.0.0.1:3000/events -H "last-event-id: 3"          resumes after sample 3
 *   curl -X POST "http://127.0.0.1:3000/work?ms=300"                   blocks the event loop: watch the delay
 */
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import {
  compression,
  createApp,
  securityHeaders,
  serveStatic,
  sse,
  type App,
  type Context,
  type EventStream,
  type LoggerSetting,
} from '../../src/index.js'
import { isMain, serve } from '../middleware/serve.js'
import { LagProbe } from './lag-probe.js'
import { Sampler, type Readings } from './sampler.js'

/** Options for {@link buildApp}. */
export interface DashboardOptions {
  logger?: LoggerSetting
  /** Time between samples, in ms. @default 1000 */
  intervalMs?: number
  /** Samples kept for clients that reconnect. @default 60 */
  historySize?: number
  /** Heartbeat comment interval, in ms (0: none). @default 15000 */
  heartbeatMs?: number
  /** Reconnection delay the browser is told to use (`retry:`), in ms. @default 1000 */
  retryMs?: number
  /** A stream is ended after this long and the browser reconnects, in ms (0: never). @default 60000 */
  maxStreamMs?: number
}

/** Commands to try from a shell (`$URL` is the server's base URL). */
export const tryIt = [
  'curl -si $URL/ | head -n 1',
  // The stream never ends by itself: `head` stops after the retry field, the hello and two samples.
  'curl -sN -m 10 $URL/events | head -n 13',
  // Resuming after sample 1: the hello says so, and sample 2 comes first.
  'curl -sN -m 10 $URL/events -H "last-event-id: 1" | head -n 9',
  'curl -s -X POST "$URL/work?ms=300"',
]

const MB = 1_000_000
const WorkQuery = z.object({ ms: z.coerce.number().int().min(1).max(1000) })

/** Builds the dashboard app: the page at `/`, the event stream at `/events`, a busy handler at `/work`. */
export function buildApp(options: DashboardOptions = {}): App {
  const app = createApp({ logger: options.logger ?? false })
  const sampler = sampling(app, options.intervalMs ?? 1000, options.historySize ?? 60)
  app.use(
    securityHeaders({
      contentSecurityPolicy:
        "default-src 'self'; script-src 'self'; connect-src 'self'; style-src 'self'; " +
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
      strictTransportSecurity: false,
    }),
  )
  app.use(compression())
  app.use(
    serveStatic({ root: fileURLToPath(new URL('./public', import.meta.url)), cacheControl: 'no-cache' }),
  )
  app.get('/events', (ctx) => openStream(app, sampler, ctx, options))
  // Blocks the event loop on purpose, so the page has a delay to show. A demo only: never write this.
  app.post('/work', { schema: { query: WorkQuery } }, (ctx) => {
    const until = performance.now() + ctx.valid.query.ms
    while (performance.now() < until);
    return { blockedMs: ctx.valid.query.ms }
  })
  return app
}

/** One sampler for the app, started and stopped with it, reading the app's numbers each interval. */
function sampling(app: App, intervalMs: number, historySize: number): Sampler {
  const lag = new LagProbe()
  const read = (): Readings => {
    const stats = app.stats()
    const memory = process.memoryUsage()
    return {
      requests: stats.requests,
      inFlight: stats.inFlight,
      loopDelayMaxMs: lag.take(),
      rssMb: Math.round(memory.rss / MB),
      heapUsedMb: Math.round(memory.heapUsed / MB),
    }
  }
  const sampler = new Sampler(read, intervalMs, historySize)
  // Open streams would hold the graceful drain until its deadline: end them as soon as shutdown starts
  // (the app has no "shutdown started" hook, so watch `app.closing`; 50 ms of polling costs nothing).
  let drainer: NodeJS.Timeout | undefined
  app.onStartup(() => {
    lag.start()
    sampler.start()
    drainer = setInterval(() => app.closing && sampler.endAll(), 50).unref()
  })
  app.onShutdown(() => {
    clearInterval(drainer)
    lag.stop()
    sampler.stop()
  })
  return sampler
}

/** `GET /events`: the hello, the samples missed since `Last-Event-ID`, then live ones. */
function openStream(
  app: App,
  sampler: Sampler,
  ctx: Context<object, object>,
  options: DashboardOptions,
): EventStream | Context<object, object> {
  if (app.closing) return ctx.text('shutting down', 503)
  const stream = sse(ctx, { heartbeatMs: options.heartbeatMs ?? 15_000, retryMs: options.retryMs ?? 1000 })
  const { resumedAfter, missed } = sampler.resumeFrom(stream.lastEventId)
  const replayed = missed.length
  // The hello has no id: the browser's last event id stays that of the last sample it got.
  stream.send({ event: 'hello', data: { resumedAfter, replayed, intervalMs: options.intervalMs ?? 1000 } })
  sampler.attach(stream, missed)
  app.log.info({ reqId: ctx.id, lastEventId: stream.lastEventId ?? null, replayed }, 'dashboard connected')
  const maxStreamMs = options.maxStreamMs ?? 60_000
  if (maxStreamMs > 0) {
    const timer = setTimeout(() => stream.end(), maxStreamMs)
    stream.onClose(() => clearTimeout(timer))
  }
  return stream
}

if (isMain(import.meta.url)) await serve(buildApp({ logger: true }), tryIt)
