/**
 * Bearer JWT authentication (RFC 6750) verified with `jose`: an algorithms allow-list (never "whatever the
 * token says"), issuer and audience checks, and clock-skew tolerance. Scopes come from the `scope` claim;
 * `requireScopes` answers 403 with `error="insufficient_scope"`.
 *
 * Try: GET /token mints demo tokens (a real app gets them from its identity provider). Then call /items
 * without a token (401, bare challenge), with a reader token (200), the reader token on DELETE (403),
 * the writer token on DELETE (204), and an expired token (401 invalid_token).
 */
import { SignJWT } from 'jose'
import { createApp } from '../../src/index.js'
import { bearerJwt, requireScopes, type AuthState, type JwtUser } from '../../src/middleware/auth/index.js'
import { isMain, serve } from './serve.js'

// HS256 with a shared secret keeps the demo self-contained; with an identity provider use
// `key: createRemoteJWKSet(new URL('https://issuer/.well-known/jwks.json'))` and `algorithms: ['RS256']`.
const secret = new TextEncoder().encode(process.env.JWT_SECRET ?? 'demo-secret-at-least-32-bytes-long!!')
const ISSUER = 'https://auth.example.test'
const AUDIENCE = 'items-api'

export const app = createApp<AuthState<JwtUser>>({ logger: false })

const jwt = bearerJwt({
  key: secret,
  algorithms: ['HS256'],
  issuer: ISSUER,
  audience: AUDIENCE,
  clockTolerance: 5,
})

app.get('/token', async (ctx) => {
  const scope = ctx.query.get('scope') ?? 'items:read'
  const expiresIn = Number(ctx.query.get('expiresIn') ?? 300)
  const now = Math.floor(Date.now() / 1000)
  const token = await new SignJWT({ scope })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(ctx.query.get('sub') ?? 'ada')
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + expiresIn)
    .sign(secret)
  return ctx.text(token)
})

app.get('/items', jwt, (ctx) => ({ user: ctx.state.user.id, scopes: ctx.state.user.scopes, items: [1, 2] }))
app.delete('/items/:id', jwt, requireScopes('items:write'), (ctx) => ctx.status(204).text(''))

export const tryIt = [
  'curl -si $URL/items',
  'TOKEN=$(curl -s "$URL/token?scope=items:read") && curl -si $URL/items -H "authorization: Bearer $TOKEN"',
  'TOKEN=$(curl -s "$URL/token?scope=items:read") && curl -si -X DELETE $URL/items/1 -H "authorization: Bearer $TOKEN"',
  'TOKEN=$(curl -s "$URL/token?scope=items:read%20items:write") && curl -si -X DELETE $URL/items/1 -H "authorization: Bearer $TOKEN"',
  'TOKEN=$(curl -s "$URL/token?expiresIn=-60") && curl -si $URL/items -H "authorization: Bearer $TOKEN"',
]

if (isMain(import.meta.url)) await serve(app, tryIt)
