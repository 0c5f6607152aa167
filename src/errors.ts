/**
 * Every error Swiftlet raises has a stable `ERR_*` code defined here, in one place, so users can match on
 * codes rather than messages.
 */
import { STATUS_CODES } from 'node:http'

/** Stable error codes. The key and the value are the same string. */
export const ERR = {
  /** No route matches the path (404). */
  NOT_FOUND: 'ERR_NOT_FOUND',
  /** A route matches the path but not the method (405). */
  METHOD_NOT_ALLOWED: 'ERR_METHOD_NOT_ALLOWED',
  /** Generic client error (400). */
  BAD_REQUEST: 'ERR_BAD_REQUEST',
  /** A percent-escape in the path is malformed or not UTF-8 (400). */
  MALFORMED_URI: 'ERR_MALFORMED_URI',
  /** The body is not valid JSON, or carries a forbidden `__proto__`/`constructor.prototype` key (400). */
  INVALID_JSON: 'ERR_INVALID_JSON',
  /** The body was read twice or after the stream was consumed elsewhere (500: a programming error). */
  BODY_CONSUMED: 'ERR_BODY_CONSUMED',
  /** A request failed its validation schema (422). */
  VALIDATION: 'ERR_VALIDATION',
  /** The body is larger than the limit (413). */
  BODY_TOO_LARGE: 'ERR_BODY_TOO_LARGE',
  /** The request target is longer than the limit (414). */
  URI_TOO_LONG: 'ERR_URI_TOO_LONG',
  /** The header block is larger than the limit (431). */
  HEADERS_TOO_LARGE: 'ERR_HEADERS_TOO_LARGE',
  /** `Expect` carries something other than `100-continue` (417). */
  EXPECTATION_FAILED: 'ERR_EXPECTATION_FAILED',
  /** The media type of the body is not one the reader accepts (415). */
  UNSUPPORTED_MEDIA_TYPE: 'ERR_UNSUPPORTED_MEDIA_TYPE',
  /** A middleware called `next()` more than once (500). */
  NEXT_CALLED_TWICE: 'ERR_NEXT_CALLED_TWICE',
  /** A header name or value set by the application is not valid on the wire (500). */
  INVALID_HEADER: 'ERR_INVALID_HEADER',
  /** Authentication is required or failed (401). */
  UNAUTHORIZED: 'ERR_UNAUTHORIZED',
  /** Authenticated but not allowed (403). */
  FORBIDDEN: 'ERR_FORBIDDEN',
  /** No acceptable representation (406). */
  NOT_ACCEPTABLE: 'ERR_NOT_ACCEPTABLE',
  /** The request took too long to arrive (408). */
  REQUEST_TIMEOUT: 'ERR_REQUEST_TIMEOUT',
  /** Conflicts with the current state of the resource (409). */
  CONFLICT: 'ERR_CONFLICT',
  /** The resource is gone for good (410). */
  GONE: 'ERR_GONE',
  /** A precondition header did not hold (412). */
  PRECONDITION_FAILED: 'ERR_PRECONDITION_FAILED',
  /** A form went over one of its limits: file size, file count, field count or size, parts (413). */
  FORM_LIMIT: 'ERR_FORM_LIMIT',
  /** A multipart/form-data body is malformed: no boundary, a broken part header, a truncated body (400). */
  MALFORMED_MULTIPART: 'ERR_MALFORMED_MULTIPART',
  /** The requested range cannot be served (416). */
  RANGE_NOT_SATISFIABLE: 'ERR_RANGE_NOT_SATISFIABLE',
  /** Rate limited (429). */
  TOO_MANY_REQUESTS: 'ERR_TOO_MANY_REQUESTS',
  /** Not implemented (501). */
  NOT_IMPLEMENTED: 'ERR_NOT_IMPLEMENTED',
  /** An upstream answered badly (502). */
  BAD_GATEWAY: 'ERR_BAD_GATEWAY',
  /** Temporarily unable to serve (503). */
  SERVICE_UNAVAILABLE: 'ERR_SERVICE_UNAVAILABLE',
  /** An upstream did not answer in time (504). */
  GATEWAY_TIMEOUT: 'ERR_GATEWAY_TIMEOUT',
  /** The client closed the connection before its request body arrived (the answer is never sent). */
  CLIENT_ABORTED: 'ERR_CLIENT_ABORTED',
  /** Anything unexpected (500). */
  INTERNAL: 'ERR_INTERNAL',
  /** Routes were added after the app started serving. */
  ROUTES_FROZEN: 'ERR_ROUTES_FROZEN',
  /** A route pattern is malformed, or duplicates another one. */
  INVALID_ROUTE: 'ERR_INVALID_ROUTE',
  /** The uWebSockets.js native binary did not load and the JavaScript imitation was not allowed. */
  CORE_FALLBACK: 'ERR_CORE_FALLBACK',
  /** The chosen core cannot serve what `listen()` asked for (tls or http2 on uWS; http2 without tls). */
  CORE_UNSUPPORTED: 'ERR_CORE_UNSUPPORTED',
  /** The server could not listen on the requested host and port. */
  LISTEN_FAILED: 'ERR_LISTEN_FAILED',
  /** `listen()` options that cannot work: an unknown core, a bad `workers` count, `tls` without a certificate. */
  INVALID_LISTEN_OPTIONS: 'ERR_INVALID_LISTEN_OPTIONS',
  /** Under `listen({ workers })`: a worker exited, or stayed silent for 60 s, before it listened. */
  WORKER_EXITED: 'ERR_WORKER_EXITED',
  /** A binary WebSocket message on a route that takes JSON text (close code 1003, RFC 6455 §7.4.1). */
  WS_UNSUPPORTED_DATA: 'ERR_WS_UNSUPPORTED_DATA',
} as const

/** One of the {@link ERR} codes. */
export type ErrorCode = (typeof ERR)[keyof typeof ERR]

/** Options for {@link HttpError}. */
export interface HttpErrorOptions {
  /**
   * Stable machine-readable code. @default derived from the status (`ERR_NOT_FOUND` for 404,
   * `ERR_UNAUTHORIZED` for 401...; `ERR_HTTP_<status>` for statuses without a name)
   */
  code?: string
  /** The underlying error, kept for logs and never sent to the client. */
  cause?: unknown
  /** Whether `message` may be sent to the client. @default true below 500, false from 500 */
  expose?: boolean
  /** Extra response headers, e.g. `Allow` on a 405 or `Retry-After` on a 503. */
  headers?: Record<string, string>
  /** Extra JSON-safe detail sent in the body as `details` when exposed (validation issues, for instance). */
  details?: unknown
}

const CODE_BY_STATUS: Record<number, string> = {
  400: ERR.BAD_REQUEST,
  401: ERR.UNAUTHORIZED,
  403: ERR.FORBIDDEN,
  404: ERR.NOT_FOUND,
  405: ERR.METHOD_NOT_ALLOWED,
  406: ERR.NOT_ACCEPTABLE,
  408: ERR.REQUEST_TIMEOUT,
  409: ERR.CONFLICT,
  410: ERR.GONE,
  412: ERR.PRECONDITION_FAILED,
  413: ERR.BODY_TOO_LARGE,
  414: ERR.URI_TOO_LONG,
  415: ERR.UNSUPPORTED_MEDIA_TYPE,
  416: ERR.RANGE_NOT_SATISFIABLE,
  417: ERR.EXPECTATION_FAILED,
  422: ERR.VALIDATION,
  429: ERR.TOO_MANY_REQUESTS,
  431: ERR.HEADERS_TOO_LARGE,
  500: ERR.INTERNAL,
  501: ERR.NOT_IMPLEMENTED,
  502: ERR.BAD_GATEWAY,
  503: ERR.SERVICE_UNAVAILABLE,
  504: ERR.GATEWAY_TIMEOUT,
}

/**
 * An error that carries an HTTP status. Throw it anywhere in a handler or middleware; the error handler
 * turns it into a JSON response `{ status, code, message, requestId }`.
 *
 * @example `throw new HttpError(404, 'user not found')`
 */
export class HttpError extends Error {
  /** HTTP status, 400-599. */
  readonly status: number
  /** Stable machine-readable code. */
  readonly code: string
  /** Whether `message` is safe to send to the client. */
  readonly expose: boolean
  /** Extra response headers. */
  readonly headers: Readonly<Record<string, string>>
  /** Extra detail for the client (sent only when `expose`). */
  readonly details: unknown

  /**
   * @param status - HTTP status code, 400-599.
   * @param message - Human-readable message. @default the standard reason phrase
   * @throws RangeError when `status` is not an integer in 400-599.
   */
  constructor(status: number, message?: string, options: HttpErrorOptions = {}) {
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`HttpError status must be an integer in 400-599, got ${status}`)
    }
    super(message ?? STATUS_CODES[status] ?? 'Error', { cause: options.cause })
    this.name = 'HttpError'
    this.status = status
    this.code = options.code ?? CODE_BY_STATUS[status] ?? `ERR_HTTP_${status}`
    this.expose = options.expose ?? status < 500
    this.headers = options.headers ?? {}
    this.details = options.details
  }
}

/** True when `value` is an {@link HttpError} (also across realms / duplicated package copies). */
export function isHttpError(value: unknown): value is HttpError {
  return (
    value instanceof HttpError ||
    (value instanceof Error && value.name === 'HttpError' && typeof (value as HttpError).status === 'number')
  )
}

/** Errors stay as they are (so handlers can test `instanceof ZodError`); anything else becomes an HttpError. */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : toHttpError(thrown)
}

/** Wraps anything thrown (a string, `undefined`, an Error) into an {@link HttpError}. */
export function toHttpError(thrown: unknown): HttpError {
  if (isHttpError(thrown)) return thrown
  const cause = thrown instanceof Error ? thrown : new Error(`non-Error thrown: ${String(thrown)}`)
  return new HttpError(500, undefined, { cause, code: ERR.INTERNAL })
}
