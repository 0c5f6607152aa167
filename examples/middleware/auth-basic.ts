/**
 * HTTP Basic authentication (RFC 7617): `basicAuth({ verify })` puts a typed user on `ctx.state.user`, or
 * answers 401 with a `WWW-Authenticate: Basic` challenge; `requireScopes` answers 403 to a known user
 * who lacks a permission (RFC 9110 §15.5.2 vs §15.5.4).
 *
 * Try: no credentials (401 + challenge: a browser would show its login box), a wrong password (401),
 * ada (200), ada on the admin route (403), root on the admin route (200).
 */
import { createApp } from '../../src/index.js'
import { basicAuth, requireScopes, safeEqual, type AuthState } from '../../src/middleware/auth/index.js'
import { isMain, serve } from './serve.js'

interface User {
  id: string
  scopes: string[]
}

// Demo users. Real apps store password hashes (scrypt/argon2) and call the hash's verify function.
const USERS: Record<string, { password: string; scopes: string[] }> = {
  ada: { password: 'lovelace', scopes: ['reports:read'] },
  root: { password: 'hunter2', scopes: ['reports:read', 'admin'] },
}

export const app = createApp<AuthState<User>>({ logger: false })

const auth = basicAuth<User>({
  realm: 'reports',
  verify: (username, password) => {
    const known = Object.hasOwn(USERS, username) ? USERS[username] : undefined
    // safeEqual compares in constant time: no timing hints about how much of the password matched.
    return known && safeEqual(password, known.password) ? { id: username, scopes: known.scopes } : undefined
  },
})

app.get('/reports', auth, (ctx) => ({ user: ctx.state.user.id, reports: ['q1', 'q2'] }))
app.get('/admin', auth, requireScopes('admin'), (ctx) => ({ admin: ctx.state.user.id }))

export const tryIt = [
  'curl -si $URL/reports',
  'curl -si -u ada:wrong $URL/reports',
  'curl -si -u ada:lovelace $URL/reports',
  'curl -si -u ada:lovelace $URL/admin',
  'curl -si -u root:hunter2 $URL/admin',
]

if (isMain(import.meta.url)) await serve(app, tryIt)
