/** Checks every core makes before routing, so that all cores answer limit violations the same way. */
import type { Limits } from '../app.js'
import { ERR, HttpError } from '../errors.js'
import type { RequestHeaders } from '../request.js'

/**
 * The first limit a request violates, or undefined. The pipeline answers with it (through app-level
 * middleware, so it is logged and carries the request id).
 * @param targetLength - Length of the request target (path + `?` + query), in bytes.
 * @param headerBytes - Size of the header block (names + values), in bytes.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.5.15 (414), RFC 6585 §5 (431),
 *   RFC 9110 §15.5.14 (413), §10.1.1 and §15.5.18 (417)
 */
export function limitError(
  targetLength: number,
  headerBytes: number,
  headers: RequestHeaders,
  limits: Limits,
): HttpError | undefined {
  if (targetLength > limits.url) {
    return new HttpError(414, `request target longer than ${limits.url} bytes`, { code: ERR.URI_TOO_LONG })
  }
  if (headerBytes > limits.headers) {
    return new HttpError(431, `header block larger than ${limits.headers} bytes`, {
      code: ERR.HEADERS_TOO_LARGE,
    })
  }
  const expect = headers.expect
  if (expect !== undefined && expect.trim().toLowerCase() !== '100-continue') {
    return new HttpError(417, 'only "Expect: 100-continue" is supported', { code: ERR.EXPECTATION_FAILED })
  }
  const declared = declaredLength(headers)
  if (declared > limits.body) return bodyTooLarge(limits.body)
  return undefined
}

/** The declared Content-Length, 0 when absent or unparsable (the parser has already rejected those). */
export function declaredLength(headers: RequestHeaders): number {
  const value = headers['content-length']
  if (value === undefined) return 0
  const length = Number(value)
  return Number.isSafeInteger(length) && length > 0 ? length : 0
}

/** True when the request carries a body (a positive Content-Length or chunked framing). */
export function hasBody(headers: RequestHeaders): boolean {
  return declaredLength(headers) > 0 || headers['transfer-encoding'] !== undefined
}

/** The 413 every body limit produces. */
export function bodyTooLarge(limit: number): HttpError {
  return new HttpError(413, `request body larger than ${limit} bytes`, { code: ERR.BODY_TOO_LARGE })
}
