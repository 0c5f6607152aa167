/**
 * CSRF protection with the double-submit pattern: a random token lives in a cookie, and every unsafe request
 * must send it back in a header or a form field. A cross-site page can make the browser send the cookie but
 * cannot read it, so it cannot echo it (OWASP CSRF Prevention Cheat Sheet, "signed double-submit cookie").
 */
import { randomBytes } from 'node:crypto'
import type { MiddlewareHandler } from '../../compose.js'
import type { Context, Params } from '../../context.js'
import { ERR, HttpError } from '../../errors.js'
import { mediaType } from '../../request.js'
import { CookieJar, type CookieOptions } from '../cookies/index.js'
import { assertKeys, safeEqual, signValue, unsignValue, type SigningKey } from '../cookies/sign.js'

/** Options for {@link csrf}. */
export interface CsrfOptions {
  /** Cookie holding the token. @default 'csrf' */
  cookieName?: string
  /** Request header a script sends the token in. @default 'x-csrf-token' */
  headerName?: string
  /** Field of an `application/x-www-form-urlencoded` body holding the token. @default '_csrf' */
  fieldName?: string
  /**
   * Keys that sign the token (newest first). Recommended: a signed token cannot be planted by a sibling
   * subdomain that can write cookies for the parent domain ("cookie tossing"). @default unsigned
   */
  keys?: readonly SigningKey[]
  /**
   * Cookie attributes. @default `{ path: '/', sameSite: 'strict', httpOnly: false }` (scripts must be able
   * to read it to send the header); set `secure: true` behind HTTPS
   */
  cookie?: CookieOptions
  /** Methods that change nothing and are never checked (RFC 9110 §9.2.1). @default GET, HEAD, OPTIONS, TRACE */
  safeMethods?: readonly string[]
}

/** State added by {@link csrf}: `ctx.state.csrfToken`, to render into forms or hand to scripts. */
export interface CsrfState {
  csrfToken: string
}

const SAFE = ['GET', 'HEAD', 'OPTIONS', 'TRACE']

/**
 * CSRF middleware. Sets the token cookie when missing (or not validly signed), exposes `ctx.state.csrfToken`,
 * and for every other method than the safe ones requires the same token in the `x-csrf-token` header or the
 * `_csrf` field of a urlencoded form. Requests are checked whatever their content type, including none at
 * all (a `fetch` with a `text/plain` or empty body needs no CORS preflight). Multipart forms: send the header.
 *
 * @param options - See {@link CsrfOptions}.
 * @throws HttpError 403 `ERR_FORBIDDEN` (through the middleware) when the token is missing or does not match.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html
 */
export function csrf(options: CsrfOptions = {}): MiddlewareHandler<object> {
  const name = options.cookieName ?? 'csrf'
  const header = (options.headerName ?? 'x-csrf-token').toLowerCase()
  const field = options.fieldName ?? '_csrf'
  const keys = options.keys ? assertKeys(options.keys, 'csrf') : undefined
  const safe = new Set((options.safeMethods ?? SAFE).map((m) => m.toUpperCase()))
  const defaults: CookieOptions = { path: '/', sameSite: 'strict', httpOnly: false, ...options.cookie }

  return async function csrf(ctx, next) {
    const jar = new CookieJar(ctx, { defaults })
    const sent = jar.all()[name]
    const valid = sent !== undefined && (keys === undefined || unsignValue(keys, name, sent) !== undefined)
    const token = valid ? sent : newToken(keys, name)
    if (!valid) jar.set(name, token)
    ;(ctx.state as CsrfState).csrfToken = token
    if (!safe.has(ctx.method)) {
      const submitted = await submittedToken(ctx, header, field)
      if (!valid || submitted === undefined || !safeEqual(submitted, token)) {
        throw new HttpError(403, 'missing or invalid CSRF token', { code: ERR.FORBIDDEN })
      }
    }
    await next()
  }
}

function newToken(keys: readonly SigningKey[] | undefined, name: string): string {
  const token = randomBytes(32).toString('base64url')
  return keys === undefined ? token : signValue(keys, name, token)
}

async function submittedToken(
  ctx: Context<Params, object>,
  header: string,
  field: string,
): Promise<string | undefined> {
  const fromHeader = ctx.req.headers[header]
  if (fromHeader !== undefined) return fromHeader
  if (mediaType(ctx.req.headers['content-type']) !== 'application/x-www-form-urlencoded') return undefined
  return (await ctx.req.form()).get(field) ?? undefined
}
