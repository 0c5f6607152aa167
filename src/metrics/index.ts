/**
 * Prometheus metrics (prom-client): requests by route, method and status, a latency histogram, in-flight
 * requests, aborted requests and event-loop delay, served at `/metrics` in the text exposition format.
 * Each call gets its own Registry: two apps in one process (or in one test file) never share counters.
 */
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks'
import type * as PromClient from 'prom-client'
import type { Counter, Histogram, Registry } from 'prom-client'
import type { App } from '../app.js'
import type { MiddlewareHandler, Next } from '../compose.js'
import type { Context as AnyContext, Params } from '../context.js'
import { statusOf } from '../error-response.js'
import { lazyRequire } from '../lazy.js'
import { asError } from '../errors.js'

/** prom-client (~12 MB of RSS) is loaded by the first `metrics()` call, not by importing Swiftlet. */
const loadPromClient = lazyRequire<typeof PromClient>('prom-client')

type Context = AnyContext<Params, object>

/** Options for {@link metrics}. */
export interface MetricsOptions {
  /** Where the metrics are served. `false` registers no route (serve `registry.metrics()` yourself). @default '/metrics' */
  path?: string | false
  /** Prefix of every metric name. @default 'swiftlet_' */
  prefix?: string
  /** Latency histogram bucket bounds, in seconds. @default 1 ms to 10 s */
  buckets?: number[]
  /** Also collect prom-client's default Node metrics (memory, GC, handles) into this registry. @default false */
  defaultMetrics?: boolean
  /** Resolution of the event-loop delay histogram, in ms. @default 10 */
  loopResolutionMs?: number
  /** Use this registry instead of a new one (to add your own metrics beside). */
  registry?: Registry
}

/** What {@link metrics} installed. */
export interface AppMetrics {
  /** The app's registry: register your own metrics here; `registry.metrics()` is the `/metrics` body. */
  readonly registry: Registry
}

/** Label of requests that matched no route (404, 405, OPTIONS): patterns start with `/`, so no clash. */
export const UNMATCHED_ROUTE = 'unmatched'

const DEFAULT_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
const REQUEST_LABELS = ['route', 'method', 'status'] as const

/**
 * Installs request metrics on `app` (an app-level middleware, placed where this is called: call it first
 * to count everything) and serves them at `options.path`. Labels use the route *pattern* (`/users/:id`),
 * never the raw path, so their number stays bounded. No per-request work is added to apps without it, and
 * prom-client is loaded by the first call, not when Swiftlet is imported.
 * Metrics: `<prefix>http_requests_total`, `<prefix>http_request_duration_seconds` (histogram),
 * `<prefix>http_requests_in_flight`, `<prefix>http_requests_aborted_total` (a request whose client left
 * before its response is counted there only, not in the two above),
 * `<prefix>event_loop_delay_seconds{quantile}` (since the previous scrape) and `..._max_seconds`.
 * @example `const { registry } = metrics(app)` then `curl localhost:3000/metrics`
 */
export function metrics<S extends object>(app: App<S>, options: MetricsOptions = {}): AppMetrics {
  const prom = loadPromClient()
  const prefix = options.prefix ?? 'swiftlet_'
  const registry = options.registry ?? new prom.Registry()
  const registers = [registry]
  const requestMetrics = registerRequestMetrics(prom, prefix, registers, options.buckets ?? DEFAULT_BUCKETS)
  new prom.Gauge({
    name: `${prefix}http_requests_in_flight`,
    help: 'Requests being handled now (this scrape included)',
    registers,
    collect() {
      this.set(app.stats().inFlight)
    },
  })
  const resolutionMs = options.loopResolutionMs ?? 10
  const delay = monitorEventLoopDelay({ resolution: resolutionMs })
  delay.enable()
  registerLoopDelay(prom, prefix, registers, delay, resolutionMs)
  if (options.defaultMetrics) prom.collectDefaultMetrics({ register: registry, prefix })

  app.use(metricsMiddleware(requestMetrics))
  if (options.path !== false) {
    app.get(options.path ?? '/metrics', async (ctx) => {
      ctx.header('content-type', registry.contentType).header('cache-control', 'no-store')
      return ctx.text(await registry.metrics())
    })
  }
  app.onShutdown(() => delay.disable())
  return { registry }
}

interface RequestMetrics {
  requests: Counter<'route' | 'method' | 'status'>
  duration: Histogram<'route' | 'method' | 'status'>
  aborted: Counter<'route' | 'method'>
}

function registerRequestMetrics(
  prom: typeof PromClient,
  prefix: string,
  registers: Registry[],
  buckets: number[],
): RequestMetrics {
  return {
    requests: new prom.Counter({
      name: `${prefix}http_requests_total`,
      help: 'HTTP requests answered, by route pattern, method and status',
      labelNames: REQUEST_LABELS,
      registers,
    }),
    duration: new prom.Histogram({
      name: `${prefix}http_request_duration_seconds`,
      help: 'Time from the request entering the metrics middleware to its response, in seconds',
      labelNames: REQUEST_LABELS,
      buckets,
      registers,
    }),
    aborted: new prom.Counter({
      name: `${prefix}http_requests_aborted_total`,
      help: 'Requests whose client disconnected before the response was written',
      labelNames: ['route', 'method'] as const,
      registers,
    }),
  }
}

function metricsMiddleware({ requests, duration, aborted }: RequestMetrics): MiddlewareHandler<object> {
  return async function metrics(ctx: Context, next: Next): Promise<void> {
    const start = performance.now()
    let status = 500
    try {
      await next()
      status = ctx.res.status
    } catch (thrown) {
      // The app answers a throw from its status (error handlers outside this middleware aside).
      status = statusOf(asError(thrown))
      throw thrown
    } finally {
      const route = ctx.routePattern ?? UNMATCHED_ROUTE
      const method = ctx.method
      // A request whose client left got no answer: it counts as aborted, not under the status it never sent.
      if (ctx.aborted) {
        aborted.inc({ route, method })
      } else {
        const labels = { route, method, status: String(status) }
        requests.inc(labels)
        duration.observe(labels, (performance.now() - start) / 1000)
      }
    }
  }
}

/**
 * Gauges read from `delay` at scrape time, which then starts a new window. The histogram records whole
 * timer intervals; the resolution is subtracted so an idle loop reads 0, not 0.01.
 */
function registerLoopDelay(
  prom: typeof PromClient,
  prefix: string,
  registers: Registry[],
  delay: IntervalHistogram,
  resolutionMs: number,
): void {
  const seconds = (ns: number): number =>
    Number.isFinite(ns) ? Math.max(0, Math.round(ns / 1e3 - resolutionMs * 1e3) / 1e6) : 0
  new prom.Gauge({
    name: `${prefix}event_loop_delay_seconds`,
    help: 'Event-loop delay percentiles since the previous scrape, in seconds',
    labelNames: ['quantile'] as const,
    registers,
    collect() {
      for (const quantile of [0.5, 0.9, 0.99]) {
        this.set({ quantile: String(quantile) }, seconds(delay.percentile(quantile * 100)))
      }
    },
  })
  new prom.Gauge({
    name: `${prefix}event_loop_delay_max_seconds`,
    help: 'Longest event-loop delay since the previous scrape, in seconds',
    registers,
    collect() {
      this.set(seconds(delay.max))
      delay.reset()
    },
  })
}
