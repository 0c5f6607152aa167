/** Checks every core makes before routing, so that all cores answer limit violations the same way. */
import type { Limits } from '../app.js'
import { ERR, HttpError } from '../errors.js'
import type { RequestHeaders } from '../request.js'
import { normalizePath } from '../router/path.js'
import type { RouteTable } from '../router/compile.js'

const DECIMAL = /^\d+$/

/**
 * The first limit a request violates, or undefined. The pipeline answers with it (through app-level
 * middleware, so it is logged and carries the request id).
 * @param targetLength - Length of the request target (path + `?` + query), in bytes.
 * @param headerBytes - Size of the header block (names + values), in bytes.
 * @param bodyLimit - Body limit in bytes of the route the request matches (see {@link routeBodyLimit}).
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.5.15 (414), RFC 6585 §5 (431),
 *   RFC 9110 §15.5.14 (413), §10.1.1 and §15.5.18 (417), RFC 9112 §6.3 (400: invalid Content-Length)
 */
export function limitError(
  targetLength: number,
  headerBytes: number,
  headers: RequestHeaders,
  limits: Limits,
  bodyLimit: number = limits.body,
): HttpError | undefined {
  if (targetLength > limits.url) {
    return new HttpError(414, `request target longer than ${limits.url} bytes`, { code: ERR.URI_TOO_LONG })
  }
  if (headerBytes > limits.headers) {
    return new HttpError(431, `header block larger than ${limits.headers} bytes`, {
      code: ERR.HEADERS_TOO_LARGE,
    })
  }
  if (invalidContentLength(headers)) {
    return new HttpError(400, 'invalid Content-Length', { code: ERR.BAD_REQUEST })
  }
  const expect = headers.expect
  if (expect !== undefined && expect.trim().toLowerCase() !== '100-continue') {
    return new HttpError(417, 'only "Expect: 100-continue" is supported', { code: ERR.EXPECTATION_FAILED })
  }
  const declared = declaredLength(headers)
  if (declared > bodyLimit) return bodyTooLarge(bodyLimit)
  return undefined
}

/**
 * The body limit, in bytes, of the route `method` and `path` match (its `bodyLimit` option or bodyLimit()
 * middleware), routed as dispatch() does (canonical path, HEAD falling back to GET); `fallback` (the app's
 * `limits.body`) when no route matches or the route sets none. Only route configuration decides it: nothing
 * the client sends besides the method and target. Costs nothing when no route sets a limit.
 * @param path - The path as sent, still percent-encoded, without the query.
 */
export function routeBodyLimit(table: RouteTable, method: string, path: string, fallback: number): number {
  if (!table.bodyLimits || path.charCodeAt(0) !== 47) return fallback
  const canonical = normalizePath(path)
  const match =
    table.tree.match(method, canonical) ?? (method === 'HEAD' ? table.tree.match('GET', canonical) : null)
  return match?.value.bodyLimit ?? fallback
}

/**
 * The declared Content-Length, 0 when absent or invalid (see {@link invalidContentLength}). An absurdly
 * long value is returned as a huge number, far over any limit (413), not as 0.
 */
export function declaredLength(headers: RequestHeaders): number {
  const value = headers['content-length']
  return value !== undefined && DECIMAL.test(value) ? Number(value) : 0
}

/**
 * True when a Content-Length is present and is not one plain decimal number. Repeated headers arrive joined
 * (`5, 7`); they are refused too, which RFC 9110 §8.6 allows even for identical values. Such framing is an
 * unrecoverable error: answer 400 and close the connection.
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-6.3
 */
export function invalidContentLength(headers: RequestHeaders): boolean {
  const value = headers['content-length']
  return value !== undefined && !DECIMAL.test(value)
}

/** True when the request carries a body (a positive Content-Length or chunked framing). */
export function hasBody(headers: RequestHeaders): boolean {
  return declaredLength(headers) > 0 || headers['transfer-encoding'] !== undefined
}

/** The 413 every body limit produces. */
export function bodyTooLarge(limit: number): HttpError {
  return new HttpError(413, `request body larger than ${limit} bytes`, { code: ERR.BODY_TOO_LARGE })
}
