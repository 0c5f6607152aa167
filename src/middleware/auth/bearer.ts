/** Bearer tokens that are JWTs, verified with `jose` (RFC 6750, RFC 7519, RFC 8725). */
import type * as Jose from 'jose'
import type { JWSAlgorithm, JWTPayload, jwtVerify } from 'jose'
import type { MiddlewareHandler } from '../../compose.js'
import type { Context, Params } from '../../context.js'
import { lazyImport } from '../../lazy.js'
import {
  challenge,
  credentials,
  rememberScheme,
  unauthorized,
  type AuthState,
  type AuthUser,
} from './challenge.js'

/**
 * jose (~10 MB of RSS) is loaded by the first token verified, not when Swiftlet is imported. jose 6 is
 * ESM-only and Node < 20.19 cannot `require()` it, so this is a cached dynamic import in the async path.
 */
const loadJose = lazyImport<typeof Jose>(() => import('jose'))

/** A verification key: a CryptoKey, KeyObject, JWK, secret bytes, or a key getter (`createRemoteJWKSet(...)`). */
export type JwtKey = Parameters<typeof jwtVerify>[1]

/** The default user built from a verified payload. */
export interface JwtUser extends AuthUser {
  /** The verified claims. */
  claims: JWTPayload
}

/** Options for {@link bearerJwt}. */
export interface BearerJwtOptions<U extends AuthUser> {
  /** The key (or key getter) tokens are verified with. */
  key: JwtKey
  /**
   * Accepted `alg` values, e.g. `['RS256']` or `['HS256']`. Required, with no default: accepting whatever
   * the token names is the algorithm-confusion attack (RFC 8725 §2.1, §3.1). `none` is never accepted.
   */
  algorithms: readonly JWSAlgorithm[]
  /** Required `iss` (one or any of several). @default not checked */
  issuer?: string | string[]
  /** Required `aud` (one or any of several). @default not checked */
  audience?: string | string[]
  /** Leeway for `exp`/`nbf`/`iat`, in **seconds**, for clocks that disagree. @default 5 */
  clockTolerance?: number
  /** Refuse tokens whose `iat` is older than this, in seconds. @default not checked */
  maxTokenAge?: number
  /**
   * Builds the user from the verified payload; return undefined/null to refuse it.
   * @default `{ id: sub, scopes: scope.split(' ') (or scp), claims }`
   */
  toUser?: (
    payload: JWTPayload,
    ctx: Context<Params, object>,
  ) => U | null | undefined | Promise<U | null | undefined>
  /** The protection space named in the challenge. @default 'api' */
  realm?: string
}

/**
 * Bearer JWT authentication. On success `ctx.state.user` is the user built from the verified claims.
 * Otherwise a 401 with `WWW-Authenticate: Bearer realm="api"` when no token was sent, and with
 * `error="invalid_token"` plus a short `error_description` when the token is bad, expired or not for us
 * (RFC 6750 §3, §3.1).
 *
 * @param options - `key` and `algorithms` are required; see {@link BearerJwtOptions}.
 * @throws TypeError when `algorithms` is empty or lists `none`.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3 and RFC 9110 §11.6.1, §15.5.2
 */
export function bearerJwt<U extends AuthUser = JwtUser>(
  options: BearerJwtOptions<U>,
): MiddlewareHandler<object> {
  const algorithms = [...options.algorithms]
  if (algorithms.length === 0 || algorithms.some((alg) => alg.toLowerCase() === 'none')) {
    throw new TypeError('bearerJwt: `algorithms` must list the accepted algorithms, and never `none`')
  }
  const realm = options.realm ?? 'api'
  const verifyOptions = {
    algorithms,
    issuer: options.issuer,
    audience: options.audience,
    clockTolerance: options.clockTolerance ?? 5,
    maxTokenAge: options.maxTokenAge,
  }
  const toUser = options.toUser ?? (defaultUser as unknown as NonNullable<BearerJwtOptions<U>['toUser']>)
  return async function bearerJwt(ctx, next) {
    const token = credentials(ctx.req.headers.authorization, 'Bearer')
    if (token === undefined) throw unauthorized('bearer token required', challenge('Bearer', { realm }))
    // Outside the try: a jose that fails to load is a 500 (our fault), not a 401 blaming the token.
    const jose = await loadJose()
    let payload: JWTPayload
    try {
      payload = (await jose.jwtVerify(token, options.key, verifyOptions)).payload
    } catch (err) {
      throw invalidToken(realm, describe(jose.errors, err), err)
    }
    const user = await toUser(payload, ctx)
    if (user === undefined || user === null) throw invalidToken(realm, 'token not accepted')
    ;(ctx.state as AuthState<U>).user = user
    rememberScheme(ctx, { scheme: 'Bearer', realm })
    await next()
  }
}

function invalidToken(realm: string, description: string, cause?: unknown): Error {
  const header = challenge('Bearer', { realm, error: 'invalid_token', error_description: description })
  return unauthorized(`invalid bearer token: ${description}`, header, cause)
}

/**
 * A short, safe reason: enough for a client to act on, nothing about keys. `errors` is the loaded jose's own
 * error classes, so `instanceof` compares against the classes `jwtVerify` threw.
 */
function describe(errors: typeof Jose.errors, err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'token expired'
  if (err instanceof errors.JWTClaimValidationFailed) return `${err.claim} claim not accepted`
  if (err instanceof errors.JOSEAlgNotAllowed) return 'algorithm not accepted'
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'signature invalid'
  return 'malformed token'
}

function defaultUser(payload: JWTPayload): JwtUser | undefined {
  if (typeof payload.sub !== 'string') return undefined
  return { id: payload.sub, scopes: scopesOf(payload), claims: payload }
}

/** Scopes from `scope` (space-separated, RFC 8693 §4.2) or an `scp` array. */
function scopesOf(payload: JWTPayload): string[] {
  if (typeof payload.scope === 'string') return payload.scope.split(' ').filter(Boolean)
  if (Array.isArray(payload.scp)) return payload.scp.filter((s): s is string => typeof s === 'string')
  return []
}
