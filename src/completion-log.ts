/**
 * The hook behind configurable request logging: a middleware may take over one request's "request completed"
 * line (redaction, sampling, slow-request warnings). Module state, so the hot path pays one boolean check
 * until some middleware enables it.
 */

/**
 * Announces that a middleware will replace completion lines (call it when the middleware is created): from
 * then on every request reads the clock, so the first request's `durationMs` is right too.
 */
export function enableCompletionLoggers(): void {
  completionLoggersUsed = true
}

/** Writes one request's completion line instead of the app (see {@link setCompletionLogger}). */
export type CompletionLogger = (line: Record<string, unknown>) => void

// Per-request replacements of the "request completed" line; the flag keeps the hot path at one check
// until a middleware (requestLogger) registers one.
const completionLoggers = new WeakMap<object, CompletionLogger>()
let completionLoggersUsed = false

/** @internal True once any completion logger was enabled. */
export function completionLoggersEnabled(): boolean {
  return completionLoggersUsed
}

/** @internal The completion logger a middleware registered for this request, if any. */
export function completionLoggerOf(ctx: object): CompletionLogger | undefined {
  return completionLoggersUsed ? completionLoggers.get(ctx) : undefined
}

/**
 * Hands the "request completed" line of one request to `write` instead of logging it at info: the hook a
 * logging middleware uses for redaction, sampling and slow-request warnings. `write` receives the line
 * (`reqId`, `method`, `path`, `status`, `durationMs`, and `err` for a 4xx) even when info is disabled.
 * The error-level `request failed` line of a 5xx is not affected.
 */
export function setCompletionLogger(ctx: object, write: CompletionLogger): void {
  enableCompletionLoggers()
  completionLoggers.set(ctx, write)
}
