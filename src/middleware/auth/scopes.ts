/** The `requireScopes` guard: 403 when the authenticated user lacks a scope. */
import type { MiddlewareHandler } from '../../compose.js'
import { ERR, HttpError } from '../../errors.js'
import { authSchemeOf, challenge, type AuthState } from './challenge.js'

/**
 * Lets the request through when `ctx.state.user.scopes` holds every one of `scopes`. Otherwise a 403:
 * the user *is* authenticated, and new credentials would not help (RFC 9110 §15.5.4). For a Bearer token
 * the 403 also carries `WWW-Authenticate: Bearer error="insufficient_scope", scope="..."` (RFC 6750 §3.1).
 * Put it after an authentication middleware (basicAuth, bearerJwt, apiKey).
 *
 * @param scopes - Every scope required.
 * @throws HttpError 403 `ERR_FORBIDDEN` for missing scopes; 500 when no authentication middleware ran first.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.5.4
 */
export function requireScopes(...scopes: string[]): MiddlewareHandler<object> {
  return async function requireScopes(ctx, next) {
    const user = (ctx.state as Partial<AuthState>).user
    if (user === undefined) {
      throw new HttpError(500, 'requireScopes() runs after an authentication middleware', { expose: false })
    }
    const granted = new Set(user.scopes ?? [])
    const missing = scopes.filter((scope) => !granted.has(scope))
    if (missing.length > 0) {
      const headers: Record<string, string> = {}
      const scheme = authSchemeOf(ctx)
      if (scheme?.scheme === 'Bearer') {
        const params = { realm: scheme.realm, error: 'insufficient_scope', scope: scopes.join(' ') }
        headers['www-authenticate'] = challenge('Bearer', params)
      }
      throw new HttpError(403, `missing scope: ${missing.join(' ')}`, { code: ERR.FORBIDDEN, headers })
    }
    await next()
  }
}
