/** The JSON error response, written the same way by the default error handler and the automatic answers. */
import type { Context } from './context.js'
import { ERR, HttpError, isHttpError } from './errors.js'

/** The body of every error response Swiftlet writes. */
export interface ErrorBody {
  status: number
  code: string
  /** The error message when exposed; `Internal Server Error` for hidden 5xx. */
  message: string
  requestId: string
  /** Present when the error carried exposed details (validation problems...). */
  details?: unknown
}

/**
 * Replaces the response with the JSON error for `error`: its status, headers and `{ status, code, message,
 * requestId, details? }`. Anything but an HttpError is a 500 whose message is hidden.
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
    message: http.expose ? http.message : 'Internal Server Error',
    requestId: ctx.id,
  }
  if (http.expose && http.details !== undefined) body.details = http.details
  ctx.json(body, http.status)
}

/** The status an error answers with by default: an HttpError's own, 500 for anything else. */
export function statusOf(error: Error): number {
  return isHttpError(error) ? error.status : 500
}
