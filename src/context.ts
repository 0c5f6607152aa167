/**
 * Context: everything a handler or middleware needs for one request: the request, params, query, state,
 * a request-scoped logger, an AbortSignal for client disconnects, and response helpers.
 */
import type { DependencyScope } from './di/scope.js'
import type { Logger } from './logger.js'
import type { RequestHeaders, SwiftletRequest } from './request.js'
import type { RequestIds } from './request-id.js'
import { assertValidHeader, ResponseState, type ResponseSink } from './response.js'
import { isStreamSource, StreamBody, type StreamChunk } from './streaming.js'

/** Route params by name. */
export type Params = Record<string, string>
/** Per-request state shared between middleware and handlers. */
export type State = Record<string, unknown>

const JSON_TYPE = 'application/json; charset=utf-8'
const TEXT_TYPE = 'text/plain; charset=utf-8'
const HTML_TYPE = 'text/html; charset=utf-8'
const BYTES_TYPE = 'application/octet-stream'
const EMPTY = Object.freeze({})

/**
 * The per-request object handed to middleware and handlers.
 * @typeParam P - Route params. @typeParam S - State. @typeParam V - Validated values (`ctx.valid`).
 */
export class Context<
  P extends object = Params,
  S extends object = State,
  V extends object = Record<never, never>,
> {
  /** The request: method, path, headers, query and body readers. */
  readonly req: SwiftletRequest
  /** Route params, percent-decoded (`/users/:id` → `{ id }`). Empty before routing. */
  params: P
  /**
   * The values the route's schemas validated (`ctx.valid.body`, `.query`, `.params`, `.headers`), typed from
   * them. Set by the validation step, right before the handler; empty on routes without schemas.
   */
  valid: V = EMPTY as V
  /**
   * The pattern of the route that matched (`/users/:id`, prefixes included), set by routing; undefined
   * before routing and for automatic answers (404, 405, OPTIONS). Bounded: use it as a metrics/log label.
   */
  routePattern: string | undefined = undefined
  /** @internal This request's dependencies (see `provide()`); created on first use. */
  scope: DependencyScope | undefined = undefined
  #appLog: Logger
  #res: ResponseState | undefined = undefined
  #state: S | undefined = undefined
  #id: string | undefined = undefined
  readonly #ids: RequestIds
  #log: Logger | undefined
  #sink: ResponseSink
  #controller: AbortController | undefined
  /** True once the controller is wired to the client's disconnect. */
  #listening = false

  /** @internal Built by the App for each request. */
  constructor(req: SwiftletRequest, sink: ResponseSink, ids: RequestIds, log: Logger) {
    this.req = req
    this.#ids = ids
    this.#sink = sink
    this.#appLog = log
    // Routing replaces it; a small literal until then (an empty null-prototype object takes 184 bytes, `{}` 54).
    this.params = {} as P
  }

  /**
   * The response being built; helpers below write here. Created on first use: a request awaiting I/O holds
   * none until its handler answers.
   */
  get res(): ResponseState {
    return (this.#res ??= new ResponseState())
  }

  /**
   * Per-request state set by middleware (`ctx.state.user = ...`). A null-prototype object, created on first
   * use: a request awaiting I/O without state holds none.
   */
  get state(): S {
    return (this.#state ??= Object.create(null) as S)
  }
  set state(state: S) {
    this.#state = state
  }

  /**
   * Request id: a valid incoming `x-request-id`, or a generated one, decided on first read (most requests
   * of an app without logging never need one). The requestId middleware may replace it; `ctx.log` binds it
   * when first used.
   */
  get id(): string {
    return (this.#id ??= this.#ids.requestId(this.req))
  }
  set id(id: string) {
    this.#id = id
  }

  /** HTTP method, e.g. `GET`. */
  get method(): string {
    return this.req.method
  }
  /** Canonical path without the query. */
  get path(): string {
    return this.req.path
  }
  /** Path and query. */
  get url(): string {
    return this.req.url
  }
  /** Request headers, lower-cased names. */
  get headers(): RequestHeaders {
    return this.req.headers
  }
  /** The query (URLSearchParams: `ctx.query.get('limit')`, `ctx.query.getAll('tag')`). */
  get query(): URLSearchParams {
    return this.req.query
  }

  /** A pino child logger bound to this request's id (`reqId`). Created on first use. */
  get log(): Logger {
    return (this.#log ??= this.#appLog.child({ reqId: this.id }))
  }

  /** Fires when the client disconnects before the response is written. Pass it to fetch, timers, queries. */
  get signal(): AbortSignal {
    if (this.#listening) return (this.#controller as AbortController).signal
    this.#listening = true
    const controller = (this.#controller ??= new AbortController())
    if (this.#sink.aborted) controller.abort()
    else this.#sink.onAbort(() => controller.abort())
    return controller.signal
  }

  /**
   * Fires `ctx.signal` without the client having left, e.g. when a timeout middleware gives up on the
   * handler. The response can still be written (a 503/504 from the middleware, for instance).
   * @param reason - Becomes `ctx.signal.reason`.
   */
  abort(reason?: unknown): void {
    const controller = (this.#controller ??= new AbortController())
    if (!controller.signal.aborted) controller.abort(reason)
  }

  /** True once the client has gone. */
  get aborted(): boolean {
    return this.#sink.aborted
  }

  /** True once a response has been produced (by a helper or a returned value). */
  get responded(): boolean {
    return this.res.responded
  }

  /**
   * Sets the status code.
   * @throws RangeError when not an integer in 100-999.
   */
  status(code: number): this {
    if (!Number.isInteger(code) || code < 100 || code > 999) throw new RangeError(`invalid status ${code}`)
    this.res.status = code
    this.res.statusSet = true
    return this
  }

  /**
   * Sets (replaces) a response header. Names are case-insensitive.
   * @throws HttpError 500 `ERR_INVALID_HEADER` for a name that is not a token or a value with CR, LF or NUL.
   */
  header(name: string, value: string | number): this {
    const text = String(value)
    assertValidHeader(name, text)
    this.res.headers.set(name.toLowerCase(), text)
    return this
  }

  /** Adds a value to a header that may repeat (e.g. `set-cookie`). @throws as {@link header}. */
  appendHeader(name: string, value: string): this {
    assertValidHeader(name, value)
    const key = name.toLowerCase()
    const current = this.res.headers.get(key)
    if (current === undefined) this.res.headers.set(key, value)
    else this.res.headers.set(key, Array.isArray(current) ? [...current, value] : [current, value])
    return this
  }

  /** Sets several headers. @throws as {@link header}. */
  setHeaders(values: Record<string, string | number>): this {
    for (const [name, value] of Object.entries(values)) this.header(name, value)
    return this
  }

  /** Responds with JSON (`application/json; charset=utf-8`). @throws TypeError for values JSON cannot encode. */
  json(value: unknown, status?: number): this {
    // Checked before encoding: a second response must not cost (or fail in) a JSON.stringify.
    if (this.res.responded) return this.#respond('', JSON_TYPE, status)
    return this.#respond(JSON.stringify(value), JSON_TYPE, status)
  }

  /** Responds with `text/plain; charset=utf-8`. */
  text(value: string, status?: number): this {
    return this.#respond(value, TEXT_TYPE, status)
  }

  /** Responds with `text/html; charset=utf-8`. The caller escapes what it interpolates. */
  html(value: string, status?: number): this {
    return this.#respond(value, HTML_TYPE, status)
  }

  /**
   * Responds from a value, as a handler's return value does: object/array → JSON, string → text/plain,
   * Uint8Array/Buffer → application/octet-stream, `null` → JSON `null`.
   */
  send(value: unknown, status?: number): this {
    if (typeof value === 'string') return this.text(value, status)
    if (value instanceof Uint8Array) return this.#respond(value, BYTES_TYPE, status)
    if (value instanceof StreamBody || isStreamSource(value)) return this.stream(value, { status })
    return this.json(value, status)
  }

  /**
   * Responds with a stream: a Node Readable, a web ReadableStream, an async generator or any async
   * iterable of bytes or strings. Headers are committed with the first chunk; after that an error can only
   * cut the connection. The core pulls one chunk at a time and waits for the client to read it
   * (backpressure); when the client leaves, the source is closed (generator `finally`, Readable destroy,
   * ReadableStream cancel).
   * @param options.type - Content-Type. @default 'application/octet-stream'
   * @param options.length - Total bytes, sent as Content-Length; otherwise the body is chunked.
   */
  stream(
    source: AsyncIterable<StreamChunk> | StreamBody,
    options: { type?: string; length?: number; status?: number } = {},
  ): this {
    // `return sse(ctx)` hands back the body already set: that is the same response, not a second one.
    if (source === this.res.body) return this
    const body =
      source instanceof StreamBody
        ? source
        : new StreamBody(source, options.length === undefined ? {} : { length: options.length })
    if (this.res.responded) {
      body.close()
      this.log.warn({ path: this.path }, 'response already sent; second response ignored')
      return this
    }
    if (options.type !== undefined) this.header('content-type', options.type)
    return this.#respond(body, BYTES_TYPE, options.status)
  }

  /**
   * Redirects to `location` (RFC 9110 §10.2.2). The location is sent as given: validate user-supplied
   * targets against an allow-list before passing them here.
   * @param status - 301, 302, 303, 307 or 308. @default 302
   */
  redirect(location: string, status = 302): this {
    this.header('location', location)
    return this.#respond('', TEXT_TYPE, status)
  }

  #respond(body: string | Uint8Array | StreamBody, type: string, status: number | undefined): this {
    if (this.res.responded) {
      // A response is sent once; a second attempt is a bug in the app, reported and ignored.
      this.log.warn({ path: this.path }, 'response already sent; second response ignored')
      return this
    }
    if (status !== undefined) this.status(status)
    this.res.body = body
    this.res.responded = true
    this.res.defaultContentType(type)
    return this
  }
}
