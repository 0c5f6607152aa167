/**
 * CORS (the Fetch standard's CORS protocol): answers preflight requests and adds the
 * `Access-Control-Allow-*` headers to actual requests from allowed origins.
 */
import type { MiddlewareHandler, Next } from '../../compose.js'
import type { Context as AnyContext, Params } from '../../context.js'
import { appendVary } from './vary.js'

type Context = AnyContext<Params, object>

/** One allowed origin: an exact serialized origin (`https://app.example.com`) or a RegExp tested on it. */
export type OriginMatcher = string | RegExp

/** Which origins are allowed: `'*'`, one matcher, a list, or a function (may be async). */
export type CorsOrigin =
  | '*'
  | OriginMatcher
  | readonly OriginMatcher[]
  | ((origin: string, ctx: Context) => boolean | Promise<boolean>)

/** Options for {@link cors}. */
export interface CorsOptions {
  /**
   * Allowed origins. Strings compare exactly (scheme, host and port; no trailing slash); anchor RegExps
   * (`/^https:\/\/[a-z0-9-]+\.example\.com$/`). `'*'` allows any origin without credentials. @default '*'
   */
  origin?: CorsOrigin
  /** Methods allowed in preflight answers. @default ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'] */
  methods?: readonly string[]
  /** Request headers allowed in preflight answers. @default the ones the preflight asks for */
  allowHeaders?: readonly string[]
  /** Response headers scripts may read (`Access-Control-Expose-Headers`). @default [] */
  exposeHeaders?: readonly string[]
  /** Sends `Access-Control-Allow-Credentials: true` (cookies, auth). Not allowed with `origin: '*'`. @default false */
  credentials?: boolean
  /** How long (seconds) browsers may cache a preflight answer; `false` sends no header. @default 600 */
  maxAge?: number | false
  /** Status of a successful preflight answer. @default 204 */
  preflightStatus?: number
}

type Decide = (origin: string, ctx: Context) => boolean | Promise<boolean>

function decider(origin: CorsOrigin): Decide {
  if (typeof origin === 'function') return origin
  const list: readonly OriginMatcher[] = Array.isArray(origin) ? origin : [origin as OriginMatcher]
  const exact = new Set(list.filter((m): m is string => typeof m === 'string'))
  const patterns = list.filter((m): m is RegExp => m instanceof RegExp)
  // `Origin: null` comes from sandboxed frames, files and redirects: allowed only when listed verbatim.
  return (value) => exact.has(value) || (value !== 'null' && patterns.some((re) => re.test(value)))
}

/** The options, resolved once. */
interface Settings {
  anyOrigin: boolean
  decide: Decide
  credentials: boolean
  methods: string
  allowHeaders: string | undefined
  expose: string
  maxAge: number | false
  preflightStatus: number
}

function settings(options: CorsOptions): Settings {
  const origin = options.origin ?? '*'
  const credentials = options.credentials ?? false
  if (origin === '*' && credentials) {
    throw new TypeError("cors: credentials cannot be used with origin '*'; list the allowed origins")
  }
  return {
    anyOrigin: origin === '*',
    decide: decider(origin),
    credentials,
    methods: (options.methods ?? ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE']).join(', '),
    allowHeaders: options.allowHeaders?.join(', '),
    expose: options.exposeHeaders?.join(', ') ?? '',
    maxAge: options.maxAge ?? 600,
    preflightStatus: options.preflightStatus ?? 204,
  }
}

function allowOrigin(ctx: Context, s: Settings, requestOrigin: string): void {
  ctx.header('access-control-allow-origin', s.anyOrigin ? '*' : requestOrigin)
  if (s.credentials) ctx.header('access-control-allow-credentials', 'true')
}

/** Answers a preflight from an allowed origin; nothing downstream runs. */
function answerPreflight(ctx: Context, s: Settings, requestOrigin: string): void {
  allowOrigin(ctx, s, requestOrigin)
  ctx.header('access-control-allow-methods', s.methods)
  const asked = ctx.req.headers['access-control-request-headers']
  if (s.allowHeaders !== undefined) ctx.header('access-control-allow-headers', s.allowHeaders)
  else if (asked) {
    // Reflecting what was asked makes the answer depend on it.
    appendVary(ctx, 'Access-Control-Request-Headers')
    ctx.header('access-control-allow-headers', asked)
  }
  if (s.maxAge !== false) ctx.header('access-control-max-age', s.maxAge)
  ctx.status(s.preflightStatus)
  ctx.res.responded = true
}

/**
 * CORS middleware. Register it at app level, before routes' own middleware: preflight (`OPTIONS` with
 * `Access-Control-Request-Method`) is answered here, before the app's automatic `OPTIONS` answer. An origin
 * that is not allowed gets no CORS headers (the browser then blocks the response); the request still runs.
 * Responses that depend on the origin carry `Vary: Origin`. The allowed origin is echoed only after it
 * matched the list; with `credentials` an origin is never allowed by wildcard.
 *
 * @param options - See {@link CorsOptions}.
 * @returns A middleware named `cors`.
 * @throws TypeError when `credentials` is combined with `origin: '*'`.
 * @see https://fetch.spec.whatwg.org/#http-cors-protocol
 */
export function cors(options: CorsOptions = {}): MiddlewareHandler<object> {
  const s = settings(options)
  return async function cors(ctx: Context, next: Next): Promise<void> {
    if (!s.anyOrigin) appendVary(ctx, 'Origin')
    const requestOrigin = ctx.req.headers.origin
    if (requestOrigin === undefined) return next()
    if (!s.anyOrigin && !(await s.decide(requestOrigin, ctx))) return next()
    if (ctx.method === 'OPTIONS' && ctx.req.headers['access-control-request-method'] !== undefined) {
      return answerPreflight(ctx, s, requestOrigin)
    }
    allowOrigin(ctx, s, requestOrigin)
    if (s.expose !== '') ctx.header('access-control-expose-headers', s.expose)
    await next()
  }
}
