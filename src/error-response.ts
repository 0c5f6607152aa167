/** The JSON error response, written the same way by the default error handler and the automatic answers. */
import { STATUS_CODES } from 'node:http'
import type { Context } from './context.js'
import { ERR, HttpError, isHttpError } from './errors.js'

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

/** The status an error answers with by default: an HttpError's own, 500 for anything else. */
export function statusOf(error: Error): number {
  return isHttpError(error) ? error.status : 500
}
