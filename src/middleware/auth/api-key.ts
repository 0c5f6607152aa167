/** API key authentication, from a header or (opt-in) a query parameter. */
import type { MiddlewareHandler } from '../../compose.js'
import type { Context, Params } from '../../context.js'
import { challenge, rememberScheme, unauthorized, type AuthState, type AuthUser } from './challenge.js'

/** Options for {@link apiKey}. */
export interface ApiKeyOptions<U extends AuthUser> {
  /** Looks a key up; returns its user, or undefined/null to refuse. Compare with `safeEqual` or a hash lookup. */
  verify: (key: string, ctx: Context<Params, object>) => U | null | undefined | Promise<U | null | undefined>
  /** Request header carrying the key; `false` to read none. @default 'x-api-key' */
  header?: string | false
  /**
   * Query parameter carrying the key, read when the header is absent. Off by default: URLs end up in logs,
   * proxies and browser history. @default false
   */
  query?: string | false
  /** The protection space named in the challenge. @default 'api' */
  realm?: string
}

/**
 * API key authentication: on success `ctx.state.user` is what `verify` returned; otherwise a 401 with
 * `WWW-Authenticate: ApiKey realm="...", header="x-api-key"` (there is no registered scheme for API keys;
 * RFC 9110 §15.5.2 still requires a challenge on every 401).
 *
 * @param options - `verify` (required), `header`, `query`, `realm`.
 * @throws TypeError when both `header` and `query` are off.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2
 */
export function apiKey<U extends AuthUser>(options: ApiKeyOptions<U>): MiddlewareHandler<object> {
  const header = options.header === undefined ? 'x-api-key' : options.header
  const query = options.query ?? false
  if (header === false && query === false)
    throw new TypeError('apiKey: `header` and `query` cannot both be off')
  const realm = options.realm ?? 'api'
  const wwwAuthenticate = challenge('ApiKey', {
    realm,
    header: header === false ? undefined : header,
    query: query === false ? undefined : query,
  })
  const headerName = header === false ? undefined : header.toLowerCase()
  return async function apiKey(ctx, next) {
    const key =
      (headerName === undefined ? undefined : ctx.req.headers[headerName]) ??
      (query === false ? undefined : (ctx.query.get(query) ?? undefined))
    if (key === undefined || key === '') throw unauthorized('API key required', wwwAuthenticate)
    const user = await options.verify(key, ctx)
    if (user === undefined || user === null) throw unauthorized('invalid API key', wwwAuthenticate)
    ;(ctx.state as AuthState<U>).user = user
    rememberScheme(ctx, { scheme: 'ApiKey', realm })
    await next()
  }
}
