/**
 * What every authentication middleware shares: the user type, the 401 with its `WWW-Authenticate`
 * challenge (RFC 9110 §11.6.1, §15.5.2), and a record of which scheme authenticated a request.
 */
import { ERR, HttpError } from '../../errors.js'

/** The least an authenticated user carries: an id, and scopes for {@link requireScopes}. */
export interface AuthUser {
  id: string
  /** Permissions granted, e.g. `['items:read']`. @default [] */
  scopes?: readonly string[]
}

/** State added by the authentication middleware: `ctx.state.user`. */
export interface AuthState<U extends AuthUser = AuthUser> {
  user: U
}

/** Which scheme authenticated a request, and its realm (used by the 403 of requireScopes). */
export interface AuthScheme {
  scheme: 'Basic' | 'Bearer' | 'ApiKey'
  realm: string
}

const schemes = new WeakMap<object, AuthScheme>()

/** @internal Records the scheme that authenticated `ctx`. */
export function rememberScheme(ctx: object, scheme: AuthScheme): void {
  schemes.set(ctx, scheme)
}

/** The scheme that authenticated `ctx`, if any. */
export function authSchemeOf(ctx: object): AuthScheme | undefined {
  return schemes.get(ctx)
}

/** An RFC 9110 §5.6.4 quoted-string: `"` and `\` escaped. */
export function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`
}

/** A challenge: `Scheme realm="...", k="v"` (RFC 9110 §11.3). */
export function challenge(scheme: string, params: Record<string, string | undefined>): string {
  const parts = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${name}=${quote(value)}`)
  return parts.length === 0 ? scheme : `${scheme} ${parts.join(', ')}`
}

/**
 * A 401: the request lacks valid credentials. It always carries `WWW-Authenticate` (RFC 9110 §15.5.2:
 * a 401 MUST send at least one challenge).
 */
export function unauthorized(message: string, wwwAuthenticate: string, cause?: unknown): HttpError {
  return new HttpError(401, message, {
    code: ERR.UNAUTHORIZED,
    cause,
    headers: { 'www-authenticate': wwwAuthenticate },
  })
}

/** The value of an `Authorization` header's credentials for `scheme` (case-insensitive, RFC 9110 §11.1). */
export function credentials(header: string | undefined, scheme: string): string | undefined {
  if (header === undefined) return undefined
  const space = header.indexOf(' ')
  if (space === -1 || header.slice(0, space).toLowerCase() !== scheme.toLowerCase()) return undefined
  const value = header.slice(space + 1).trim()
  return value === '' ? undefined : value
}
