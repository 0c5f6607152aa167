/**
 * App: the root Router plus everything per request (Context, the app-level onion, errors, the one log
 * line, commit to the core) and the lifecycle (listen, graceful shutdown, hooks, inject).
 */
import { performance } from 'node:perf_hooks'
import { completionLoggerOf, completionLoggersEnabled } from './completion-log.js'
import { composeChain, type Chain } from './compose.js'
import { bodyLimitOf } from './middleware/body-limit/index.js'
import { Context, type State } from './context.js'
import { dispatch } from './dispatch.js'
import { respondWithErrorSafely } from './error-response.js'
import { createLogger, type Logger, type LoggerSetting } from './logger.js'
import { SwiftletRequest, type RequestInit } from './request.js'
import { assertValidHeaders, type ResponseSink } from './response.js'
import { StreamBody } from './streaming.js'
import { EventStream } from './sse.js'
import { compileRoutes, routeNames, withErrorHandlers, type RouteTable } from './router/compile.js'
import { Router } from './router/router.js'
import {
  DEFAULT_WS_MAX_PAYLOAD,
  type MessageSchema,
  type WebSocketRoute,
  type WebSocketRouteRecord,
} from './websocket.js'
import type { Broker } from './pubsub/broker.js'
import { Channels } from './pubsub/channels.js'
import { PubSub } from './pubsub/hub.js'
import { RouteError, SegmentTree } from './router/segment-tree.js'
import type { PathParams, RouteMatcher } from './router/types.js'
import { asError, ERR } from './errors.js'
import { inject, type InjectOptions, type InjectResponse } from './server/inject.js'
import { InFlight } from './server/in-flight.js'
import { Lifecycle, type ListenOptions, type ListenInfo } from './server/lifecycle.js'
import { routeBodyLimit } from './server/limits.js'
import { isValidRequestId, sequentialId } from './request-id.js'
import { urlFor } from './url-for.js'
import { DependencyScope } from './di/scope.js'
import type { Override } from './di/provider.js'
import { mountOpenApi } from './openapi/docs-ui.js'
import type { OpenApiOptions } from './openapi/document.js'
import { validationSteps } from './validation/route-steps.js'
import type { ValidationOptions } from './validation/validate.js'

/** Size limits, in bytes. */
export interface Limits {
  /** Request target (path + query). Longer → 414. @default 8192 */
  url: number
  /** Header block (names + values). Larger → 431. @default 16384 */
  headers: number
  /** Request body. Larger → 413 before more is read. @default 1048576 (1 MiB) */
  body: number
}

/** Options for {@link createApp}. */
export interface AppOptions {
  /** Logging: `true`, `false`, pino options or a pino logger. @default true */
  logger?: LoggerSetting
  /** Size limits. */
  limits?: Partial<Limits>
  /** Header whose valid value (1-128 of `A-Za-z0-9._:-`) becomes the request id. `false` always generates. @default 'x-request-id' */
  requestIdHeader?: string | false
  /** Generates request ids. @default a random per-process prefix plus a counter (`9f86d081-1a`) */
  genReqId?: () => string
  /** Validation: the error hook and response schema mode (docs/validation.md). */
  validation?: ValidationOptions
  /** Serve the OpenAPI document (`/openapi.json`) and Swagger UI (`/docs`). @default false */
  openapi?: OpenApiOptions | boolean
  /**
   * Carries `publish()`, channel broadcasts and sends to one connection to other processes
   * (`new RedisBroker({ url })`; docs/realtime.md). The app subscribes when it listens and closes the broker
   * in `close()`. @default none: topics stay within this process (uWS native pub/sub)
   */
  broker?: Broker
}

/** A request for {@link App.inject}, with provider overrides (docs/dependencies.md). */
export type InjectRequest = InjectOptions & { overrides?: readonly Override[] }

/** Counters the app keeps; `peakInFlight` shows how many requests were awaiting at once. */
export interface AppStats {
  inFlight: number
  peakInFlight: number
  /** Requests finished since start. */
  requests: number
}

/** The default limits. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  url: 8192,
  headers: 16384,
  body: 1024 * 1024,
})

/** An application: routes, middleware, hooks, and a server core to run them on. */
export class App<S extends object = State> extends Router<S> {
  /** The app logger (pino). */
  readonly log: Logger
  /** The limits in force. */
  readonly limits: Readonly<Limits>
  readonly #requestIdHeader: string | false
  readonly #genReqId: () => string
  readonly #lifecycle: Lifecycle
  // `return ctx.json(...)` returns the Context itself: that is the response already, not a second one.
  readonly #settle = (ctx: Context, value: unknown): void => {
    if (!(value instanceof Context)) ctx.send(value)
  }
  readonly #logInfo: boolean
  readonly #options: AppOptions
  #table: RouteTable | undefined
  readonly #webSockets = {
    routes: new SegmentTree<WebSocketRouteRecord>(),
    largestPayload: 0,
    count: 0,
  }
  readonly #pubsub: PubSub
  /** Groups of WebSocket connections: join, leave, broadcast, send to one (docs/realtime.md#channels). */
  readonly channels: Channels
  #chain: Chain<Context> | undefined
  #peakInFlight = 0
  #requests = 0
  /** Requests whose handle() has not returned: a core's count ends with the response, this one later. */
  readonly #handling = new InFlight()
  readonly #eventStreams = new Set<EventStream>()

  constructor(options: AppOptions = {}) {
    super()
    this.log = createLogger(options.logger)
    this.#logInfo = this.log.isLevelEnabled('info')
    this.limits = Object.freeze({ ...DEFAULT_LIMITS, ...options.limits })
    this.#requestIdHeader = options.requestIdHeader === undefined ? 'x-request-id' : options.requestIdHeader
    this.#genReqId = options.genReqId ?? sequentialId()
    this.#lifecycle = new Lifecycle(this, this.log)
    this.#options = options
    this.#pubsub = new PubSub(this.log, options.broker)
    this.#pubsub.useCore((topic, message) => this.#lifecycle.publish(topic, message))
    this.channels = new Channels(this.#pubsub)
    // Subscribed before the core listens; closed after the connections are (the first shutdown hook).
    if (options.broker) {
      this.#lifecycle.startup.push(() => this.#pubsub.start())
      this.#lifecycle.shutdown.push(() => this.#pubsub.close())
    }
  }

  /** Runs before the server listens (connect to databases here). Hooks run in the order added. */
  onStartup(hook: () => unknown): this {
    this.#lifecycle.startup.push(hook)
    return this
  }

  /**
   * Adds a WebSocket route (uWS core only; see docs/realtime.md). Params are typed from the path; `U` is
   * what the route's `upgrade` step returns.
   * @throws RouteError for a malformed pattern; Error `ERR_ROUTES_FROZEN` after the app started serving.
   */
  ws<P extends string, U = undefined, M extends MessageSchema | undefined = undefined>(
    path: P,
    route: WebSocketRoute<PathParams<P>, U, M>,
  ): this {
    if (this.#table) {
      throw Object.assign(new Error('routes cannot change after the app started serving'), {
        code: ERR.ROUTES_FROZEN,
      })
    }
    const maxPayloadLength = route.maxPayloadLength ?? DEFAULT_WS_MAX_PAYLOAD
    // Stored type-erased: params and data are typed per route for its handlers, not in the shared table.
    const hub = this.#pubsub
    const record = { pattern: path, route, maxPayloadLength, hub } as unknown as WebSocketRouteRecord
    this.#webSockets.routes.add('GET', path, record)
    this.#webSockets.largestPayload = Math.max(this.#webSockets.largestPayload, maxPayloadLength)
    this.#webSockets.count++
    return this
  }

  /** @internal The WebSocket routes, for the uWS core; undefined when there are none. */
  webSocketRoutes(): { routes: RouteMatcher<WebSocketRouteRecord>; largestPayload: number } | undefined {
    return this.#webSockets.count === 0 ? undefined : this.#webSockets
  }

  /**
   * Sends `message` to every WebSocket subscribed to `topic` (uWS native pub/sub), and through the broker
   * to the other processes when there is one. Text stays text, bytes go binary, anything else as JSON.
   * @returns true when published here or handed to the broker; false without a broker before `listen()`
   *   or on a core without WebSockets.
   */
  publish(topic: string, message: unknown): boolean {
    return this.#pubsub.publish(topic, message)
  }

  /** Runs after in-flight requests finished during {@link close} (close pools here). */
  onShutdown(hook: () => unknown): this {
    this.#lifecycle.shutdown.push(hook)
    return this
  }

  /**
   * Runs startup hooks, then listens on the uWebSockets.js core. With `workers`, the primary forks that many
   * processes, each running this same script, hooks and listen included, and resolves once all of them
   * listen (docs/server.md, "Workers").
   * @throws Error `ERR_CORE_FALLBACK` when the native binary did not load (unless `allowFallback`),
   *   `ERR_LISTEN_FAILED` when the port cannot be bound, `ERR_WORKER_EXITED` (or the worker's own error)
   *   when a worker fails to start; RangeError for a bad `workers`.
   */
  async listen(options: ListenOptions = {}): Promise<ListenInfo> {
    this.#freeze()
    try {
      return await this.#lifecycle.listen(options)
    } catch (err) {
      // A broker connected by a startup hook would otherwise keep reconnecting (and the process alive).
      if (this.#options.broker) await this.#pubsub.close()
      throw err
    }
  }

  /**
   * Graceful shutdown: stops accepting, lets in-flight requests finish within `timeoutMs`, closes the
   * remaining connections, then runs shutdown hooks. Safe to call more than once. In the primary of
   * `listen({ workers })`, every worker does so and exits; in a worker, the process exits once closed.
   * @param timeoutMs - Drain deadline in ms. @default the listen option `shutdownTimeoutMs` (10000)
   */
  close(timeoutMs?: number): Promise<void> {
    return this.#lifecycle.close(timeoutMs)
  }

  /**
   * Runs a request through the whole pipeline in memory, no socket (for tests). `overrides` replace
   * providers for this one request (`override(db, () => fakeDb)`).
   */
  inject(options: InjectRequest | string): Promise<InjectResponse> {
    const request = typeof options === 'string' ? { url: options } : options
    const overrides = request.overrides
    if (!overrides) return inject(this, request)
    // The same pipeline, with this request's dependency overrides.
    return inject(
      {
        limits: this.limits,
        bodyLimitFor: (method: string, path: string) => this.bodyLimitFor(method, path),
        handle: (init: RequestInit, sink: ResponseSink) => this.handle(init, sink, overrides),
      },
      request,
    )
  }

  /**
   * Builds a path for a named route, percent-encoding each param (RFC 3986 §2.1).
   * @throws RouteError (`ERR_INVALID_ROUTE`) when the name is unknown or a param is missing.
   */
  urlFor(name: string, params: Record<string, string | number> = {}, query?: Record<string, string>): string {
    const pattern = (this.#table?.names ?? routeNames(this as Router<object>)).get(name)
    if (pattern === undefined) throw new RouteError(`no route named "${name}"`)
    return urlFor(pattern, params, query)
  }

  /** A snapshot of the in-flight gauge. */
  stats(): AppStats {
    return { inFlight: this.#handling.count, peakInFlight: this.#peakInFlight, requests: this.#requests }
  }

  /** Resets `peakInFlight` to the current in-flight count (e.g. after a warm-up). */
  resetPeak(): void {
    this.#peakInFlight = this.#handling.count
  }

  /**
   * Entry point for every core: runs one request through the app-level onion and the route, then writes
   * the response once through `sink`. Never rejects.
   */
  handle(init: RequestInit, sink: ResponseSink, overrides?: readonly Override[]): Promise<void> | undefined {
    const chain = this.#chain ?? this.#freeze()
    // The clock is read only when a completion line can be written (it costs ~0.5 us on Node 20).
    const start = this.#logInfo || completionLoggersEnabled() ? performance.now() : 0
    // One counter serves the stats gauge and the shutdown drain (settled()).
    this.#handling.started()
    if (this.#handling.count > this.#peakInFlight) this.#peakInFlight = this.#handling.count
    const req = new SwiftletRequest(init, this.limits.body)
    const ctx = new Context(req, sink, this, this.log) as Context
    if (overrides) ctx.scope = new DependencyScope(overrides)
    let pending: Promise<void> | undefined
    try {
      pending = chain(ctx)
    } catch (thrown) {
      this.#respondWithError(ctx, thrown)
    }
    // A synchronous chain (no middleware awaiting, a handler returning a value) is answered right here, with
    // no promise and no tick: on uWS, inside the request callback, where writes need no cork. An awaiting
    // one continues in one reaction on its promise (no async frame held per request while it awaits).
    if (!pending) return this.#complete(ctx, sink, start)
    return pending.then(
      () => this.#complete(ctx, sink, start),
      (thrown: unknown) => this.#completeWithError(ctx, sink, start, thrown),
    )
  }

  /** {@link handle} once the chain threw asynchronously: the error becomes the response. Never throws. */
  #completeWithError(
    ctx: Context,
    sink: ResponseSink,
    start: number,
    thrown: unknown,
  ): Promise<void> | undefined {
    this.#respondWithError(ctx, thrown)
    return this.#complete(ctx, sink, start)
  }

  /** The error becomes the response; if even that fails, a plain 500 (logged without the request id). */
  #respondWithError(ctx: Context, thrown: unknown): void {
    const failed = respondWithErrorSafely(ctx, asError(thrown))
    if (failed) this.log.error({ err: failed, path: ctx.req.path }, 'failed to build the error response')
  }

  /**
   * Commits the response; releases the request now, or once a streamed body was sent and provider cleanups
   * ran. Never throws.
   */
  #complete(ctx: Context, sink: ResponseSink, start: number): Promise<void> | undefined {
    let committing: Promise<void> | undefined
    try {
      committing = this.#commit(ctx, sink, start)
    } catch (err) {
      this.log.error({ err, path: ctx.req.path }, 'failed to write response')
    }
    if (committing || ctx.scope) return this.#release(ctx, committing)
    this.#requests++
    this.#handling.released()
    return undefined
  }

  /**
   * The asynchronous end of a request: awaits a streamed body (`committing`), then runs provider cleanups,
   * then releases the request. Never rejects.
   */
  async #release(ctx: Context, committing: Promise<void> | undefined): Promise<void> {
    try {
      if (committing) await committing
    } catch (err) {
      this.log.error({ err, path: ctx.req.path }, 'failed to write response')
    } finally {
      // Generator providers clean up after the response was written, even when writing failed
      // (docs/dependencies.md). close() logs a failing cleanup and never throws.
      if (ctx.scope) await ctx.scope.close(ctx, ctx.res.error)
      this.#requests++
      this.#handling.released()
    }
  }

  /**
   * @internal The body limit in bytes of the route a request for `method` and `path` (as sent, without the
   * query) would match; `limits.body` when none matches. Cores ask before routing (docs/security.md).
   */
  bodyLimitFor(method: string, path: string): number {
    if (!this.#table) this.#freeze()
    return routeBodyLimit(this.#table as RouteTable, method, path, this.limits.body)
  }

  /**
   * @internal Resolves true once no request is being handled (its response written or aborted, and the
   * code after it, such as provider cleanups, done), false when `timeoutMs` passed first.
   */
  settled(timeoutMs: number): Promise<boolean> {
    return this.#handling.drained(timeoutMs)
  }

  /** Where the app listens and on which core, once `listen()` resolved; undefined before. */
  get address(): ListenInfo | undefined {
    return this.#lifecycle.info
  }

  /** True while draining: responses then ask the client to close the connection. */
  get closing(): boolean {
    return this.#lifecycle.closing
  }

  #freeze(): Chain<Context> {
    if (this.#chain) return this.#chain
    const { openapi, validation } = this.#options
    if (openapi) mountOpenApi(this as Router<object>, openapi === true ? {} : openapi)
    this.freeze()
    const table = (this.#table = compileRoutes(
      this as Router<object>,
      this.#settle,
      validationSteps(validation),
    ))
    const route = (ctx: Context): Promise<void> | undefined => dispatch(table, ctx)
    // bodyLimit() in app.use() is compiled into every route's limit (compileRoutes), not run per request:
    // run here, it would refuse bodies before a route's own, larger limit could apply.
    const middleware = this.middleware.filter((fn) => bodyLimitOf(fn) === undefined)
    const inner = middleware.length === 0 ? route : composeChain([...middleware, route], this.#settle)
    const handlers = this.errorHandler ? [this.errorHandler] : []
    this.#chain = withErrorHandlers(inner, handlers, this.#settle)
    return this.#chain
  }

  /**
   * @internal A request's id, decided when `ctx.id` is first read: a valid incoming id header
   * (`requestIdHeader`), else a generated one.
   */
  requestId(req: SwiftletRequest): string {
    const incoming = this.#requestIdHeader === false ? undefined : req.headers[this.#requestIdHeader]
    return incoming !== undefined && isValidRequestId(incoming) ? incoming : this.#genReqId()
  }

  #commit(ctx: Context, sink: ResponseSink, start: number): Promise<void> | undefined {
    const { res, req } = ctx
    if (sink.aborted) {
      if (res.body instanceof StreamBody) res.body.close()
      if (this.#logInfo)
        this.log.info({ reqId: ctx.id, method: req.method, path: req.path }, 'request aborted')
      return
    }
    try {
      assertValidHeaders(res.headerMap)
    } catch (err) {
      // uWS writes headers verbatim (upstream #1299): one CR/LF would split the response. Drop them all.
      res.headers.clear()
      this.#respondWithError(ctx, err)
    }
    const close = this.#lifecycle.closing || !req.bodyComplete
    const sending = sink.send({
      status: res.status,
      headers: res.headerMap,
      contentType: res.contentType,
      body: res.body,
      head: req.method === 'HEAD',
      close,
    })
    // A streamed body: the request stays in flight (and its duration runs) until the stream ended.
    if (sending) {
      if (res.body instanceof EventStream) this.#trackEventStream(res.body)
      return sending.then(() => this.#logCompletion(ctx, start))
    }
    this.#logCompletion(ctx, start)
  }

  /** Event streams being sent, ended by {@link endEventStreams} at shutdown. */
  #trackEventStream(stream: EventStream): void {
    if (this.#lifecycle.closing) return stream.end()
    this.#eventStreams.add(stream)
    stream.onClose(() => this.#eventStreams.delete(stream))
  }

  /**
   * @internal Ends every Server-Sent Events stream being sent (their queued events still go out): called
   * when shutdown starts, since such streams never end by themselves and would hold the drain until its
   * deadline.
   */
  endEventStreams(): void {
    for (const stream of this.#eventStreams) stream.end()
  }

  #logCompletion(ctx: Context, start: number): void {
    const { res, req } = ctx
    const error = res.error
    if (error && res.status >= 500) {
      this.log.error({ reqId: ctx.id, method: req.method, path: req.path, err: error }, 'request failed')
    }
    const custom = completionLoggerOf(ctx)
    if (!this.#logInfo && custom === undefined) return
    const line: Record<string, unknown> = {
      reqId: ctx.id,
      method: req.method,
      path: req.path,
      status: res.status,
      durationMs: Math.round((performance.now() - start) * 1000) / 1000,
    }
    // A 4xx carries its error on this line (a 5xx has its own `request failed` line at error level).
    if (error && res.status < 500) line.err = error
    if (custom) custom(line)
    else this.log.info(line, 'request completed')
  }
}

/** Creates an {@link App}. */
export function createApp<S extends object = State>(options: AppOptions = {}): App<S> {
  return new App<S>(options)
}
