/**
 * Authentication: HTTP Basic, Bearer JWT and API keys, each putting a typed user on `ctx.state.user`,
 * and a `requireScopes` guard. 401 (with `WWW-Authenticate`) means "who are you?"; 403 means "I know who
 * you are, and no" (RFC 9110 §15.5.2, §15.5.4).
 */
export { apiKey, type ApiKeyOptions } from './api-key.js'
export { basicAuth, type BasicAuthOptions } from './basic.js'
export { bearerJwt, type BearerJwtOptions, type JwtKey, type JwtUser } from './bearer.js'
export { authSchemeOf, type AuthScheme, type AuthState, type AuthUser } from './challenge.js'
export { requireScopes } from './scopes.js'
export { safeEqual } from '../cookies/sign.js'
