/** HTTP Basic authentication (RFC 7617). */
import type { MiddlewareHandler } from '../../compose.js'
import type { Context, Params } from '../../context.js'
import {
  challenge,
  credentials,
  rememberScheme,
  unauthorized,
  type AuthState,
  type AuthUser,
} from './challenge.js'

/** Options for {@link basicAuth}. */
export interface BasicAuthOptions<U extends AuthUser> {
  /**
   * Checks a user name and password; returns the user, or undefined/null to refuse. Compare secrets with
   * `safeEqual` (constant time) or a password hash's own verify function.
   */
  verify: (
    username: string,
    password: string,
    ctx: Context<Params, object>,
  ) => U | null | undefined | Promise<U | null | undefined>
  /** The protection space named in the challenge. @default 'restricted' */
  realm?: string
}

/**
 * HTTP Basic authentication: on success `ctx.state.user` is what `verify` returned; otherwise a 401 with
 * `WWW-Authenticate: Basic realm="...", charset="UTF-8"`. Send it only over HTTPS: the password travels
 * in clear (base64).
 *
 * @param options - `verify` (required) and `realm`.
 * @throws HttpError 401 `ERR_UNAUTHORIZED` (through the returned middleware) for missing or wrong credentials.
 * @see https://www.rfc-editor.org/rfc/rfc7617 and RFC 9110 §11.6.1, §15.5.2
 */
export function basicAuth<U extends AuthUser>(options: BasicAuthOptions<U>): MiddlewareHandler<object> {
  const realm = options.realm ?? 'restricted'
  // RFC 7617 §2.1: charset="UTF-8" tells the client to encode the user-pass as UTF-8.
  const header = challenge('Basic', { realm, charset: 'UTF-8' })
  return async function basicAuth(ctx, next) {
    const pair = decode(credentials(ctx.req.headers.authorization, 'Basic'))
    if (pair === undefined) throw unauthorized('authentication required', header)
    const user = await options.verify(pair.username, pair.password, ctx)
    if (user === undefined || user === null) throw unauthorized('invalid user name or password', header)
    ;(ctx.state as AuthState<U>).user = user
    rememberScheme(ctx, { scheme: 'Basic', realm })
    await next()
  }
}

/** `base64(user:pass)` → `{ username, password }`; undefined when malformed. */
function decode(token: string | undefined): { username: string; password: string } | undefined {
  if (token === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(token)) return undefined
  const text = Buffer.from(token, 'base64').toString('utf8')
  const colon = text.indexOf(':')
  // RFC 7617 §2: the user-id cannot contain a colon; the password may.
  if (colon === -1) return undefined
  return { username: text.slice(0, colon), password: text.slice(colon + 1) }
}
