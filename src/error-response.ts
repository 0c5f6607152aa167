/** The JSON error response, written the same way by the default error handler and the automatic answers. */
import { STATUS_CODES } from 'node:http'
import type { Context } from './context.js'
import { asError, ERR, HttpError, isHttpError } from './errors.js'

/** The body of every error response Swiftlet writes. */
export interface ErrorBody {
  status: number
  code: string
  /** The error message when exposed; the status's reason phrase (`Internal Server Error`...) otherwise. */
  message: string
  requestId: string
  /** Present when the error carried exposed details (validation problems...). */
  details?: unknown
}

/**
 * Replaces the response with the JSON error for `error`: its status, headers and `{ status, code, message,
 * requestId, details? }`. Anything but an HttpError is a 500 whose message is hidden;
 * a hidden message is replaced by the status's reason phrase.
 */
export function respondWithError(ctx: Context, error: Error): void {
  const res = ctx.res
  res.resetForError()
  res.error ??= error
  const http = isHttpError(error)
    ? error
    : new HttpError(500, undefined, { cause: error, code: ERR.INTERNAL })
  for (const [name, value] of Object.entries(http.headers)) ctx.header(name, value)
  const body: ErrorBody = {
    status: http.status,
    code: http.code,
    // A hidden message still says what kind of failure it was: `Service Unavailable`, not `Internal...`.
    message: http.expose ? http.message : (STATUS_CODES[http.status] ?? 'Internal Server Error'),
    requestId: ctx.id,
  }
  if (http.expose && http.details !== undefined) body.details = http.details
  ctx.json(body, http.status)
}

/** The body of the last-resort 500: no request id, since reading it may be what failed. */
export const INTERNAL_ERROR_BODY = '{"status":500,"code":"ERR_INTERNAL","message":"Internal Server Error"}'

/**
 * {@link respondWithError} that never throws. When building the error response fails itself (a header value
 * with CR/LF, `details` JSON cannot encode, a request-id generator that throws), the response becomes a
 * plain 500 with {@link INTERNAL_ERROR_BODY} and no other header, never the half-reset 200 it would
 * otherwise leave.
 * @returns What prevented the proper error response (for the caller to log); undefined when it was built.
 */
export function respondWithErrorSafely(ctx: Context, error: Error): Error | undefined {
  try {
    respondWithError(ctx, error)
    return undefined
  } catch (thrown) {
    const res = ctx.res
    res.resetForError()
    res.headers.clear()
    res.error ??= error
    res.status = 500
    res.statusSet = true
    res.body = INTERNAL_ERROR_BODY
    res.responded = true
    res.defaultContentType('application/json; charset=utf-8')
    return asError(thrown)
  }
}

/** The status an error answers with by default: an HttpError's own, 500 for anything else. */
export function statusOf(error: Error): number {
  return isHttpError(error) ? error.status : 500
}
