/**
 * Request logging configuration: the app's one "request completed" line per request, with request and
 * response headers (sensitive ones redacted), sampling of ordinary requests, and a warning for slow ones.
 */
import { enableCompletionLoggers, setCompletionLogger } from '../../completion-log.js'
import type { MiddlewareHandler, Next } from '../../compose.js'
import type { Context as AnyContext, Params } from '../../context.js'
import type { HeaderValue } from '../../response.js'

type Context = AnyContext<Params, object>

/** Options for {@link requestLogger}. */
export interface RequestLoggerOptions {
  /** Request headers to put on the line: `true` for all, or a list of names. @default false */
  headers?: boolean | readonly string[]
  /** Response headers to put on the line: `true` for all, or a list of names. @default false */
  responseHeaders?: boolean | readonly string[]
  /** Header names whose values are replaced by `censor`. @default {@link DEFAULT_REDACTED_HEADERS} */
  redact?: readonly string[]
  /** What a redacted value becomes. @default '[redacted]' */
  censor?: string
  /**
   * Fraction (0-1) of ordinary requests logged. Requests answered with 4xx/5xx and slow requests are
   * always logged. @default 1
   */
  sampleRate?: number
  /**
   * Requests taking at least this long (ms, until the response was written; for a streamed body, until it
   * ended) log at warn as `slow request`. @default off
   */
  slowMs?: number
  /** Random source for sampling, in [0, 1). @default Math.random */
  random?: () => number
}

/** Headers that carry credentials: never logged in clear. */
export const DEFAULT_REDACTED_HEADERS: readonly string[] = Object.freeze([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-csrf-token',
])

type HeaderPick = (headers: Iterable<[string, HeaderValue | undefined]>) => Record<string, HeaderValue>

function headerPicker(which: boolean | readonly string[], redact: Set<string>, censor: string): HeaderPick {
  const only = which === true ? undefined : new Set((which as readonly string[]).map((n) => n.toLowerCase()))
  return (headers) => {
    const out: Record<string, HeaderValue> = {}
    for (const [name, value] of headers) {
      if (value === undefined || (only && !only.has(name))) continue
      out[name] = redact.has(name) ? censor : value
    }
    return out
  }
}

/**
 * Request logging middleware. Register it first (before or right after {@link requestId}) so that its line
 * covers every request, including automatic 404/405 answers and errors. It replaces the app's line through
 * the `setCompletionLogger` hook; redaction of other lines is pino's `redact` option on the app logger.
 *
 * @param options - See {@link RequestLoggerOptions}.
 * @returns A middleware named `requestLogger`.
 * @throws RangeError when `sampleRate` is outside 0-1 or `slowMs` is negative.
 */
export function requestLogger(options: RequestLoggerOptions = {}): MiddlewareHandler<object> {
  const sampleRate = options.sampleRate ?? 1
  if (!(sampleRate >= 0 && sampleRate <= 1)) throw new RangeError('sampleRate must be within 0-1')
  enableCompletionLoggers()
  const slowMs = options.slowMs ?? Infinity
  if (!(slowMs >= 0)) throw new RangeError('slowMs must be a number of ms >= 0')
  const random = options.random ?? Math.random
  const redact = new Set((options.redact ?? DEFAULT_REDACTED_HEADERS).map((n) => n.toLowerCase()))
  const censor = options.censor ?? '[redacted]'
  const pickRequest = options.headers ? headerPicker(options.headers, redact, censor) : undefined
  const pickResponse = options.responseHeaders
    ? headerPicker(options.responseHeaders, redact, censor)
    : undefined

  function write(ctx: Context, line: Record<string, unknown>): void {
    const slow = (line.durationMs as number) >= slowMs
    const status = line.status as number
    if (!slow && status < 400 && sampleRate < 1 && random() >= sampleRate) return
    if (pickRequest) line.headers = pickRequest(Object.entries(ctx.req.headers))
    if (pickResponse) line.responseHeaders = pickResponse(ctx.res.headers)
    delete line.reqId // ctx.log binds it already
    if (slow) ctx.log.warn({ ...line, slowMs }, 'slow request')
    else if (ctx.log.isLevelEnabled('info')) ctx.log.info(line, 'request completed')
  }

  return async function requestLogger(ctx: Context, next: Next): Promise<void> {
    setCompletionLogger(ctx, (line) => write(ctx, line))
    await next()
  }
}
