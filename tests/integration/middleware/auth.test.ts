import { SignJWT, UnsecuredJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../../src/index.js'
import {
  apiKey,
  basicAuth,
  bearerJwt,
  requireScopes,
  safeEqual,
  type AuthState,
  type AuthUser,
  type JwtUser,
} from '../../../src/middleware/auth/index.js'
import { start } from './helpers.js'

const secret = new TextEncoder().encode('a-test-secret-of-at-least-32-bytes!!')
const basic = (user: string, pass: string): string =>
  `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`

function token(claims: Record<string, unknown>, options: { alg?: string; exp?: number; iss?: string } = {}) {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT(claims)
    .setProtectedHeader({ alg: options.alg ?? 'HS256' })
    .setSubject('ada')
    .setIssuer(options.iss ?? 'https://issuer.test')
    .setAudience('swiftlet-tests')
    .setIssuedAt(now)
    .setExpirationTime(options.exp ?? now + 60)
    .sign(secret)
}

describe('authentication middleware', () => {
  let app: App<AuthState<AuthUser>>
  let base: string

  beforeAll(async () => {
    app = createApp<AuthState<AuthUser>>({ logger: false })
    const verifyBasic = (user: string, pass: string): AuthUser | undefined =>
      user === 'ada' && safeEqual(pass, 'pa:ss') ? { id: 'ada', scopes: ['items:read'] } : undefined
    app.get('/basic', basicAuth({ realm: 'admin', verify: verifyBasic }), (ctx) => ({
      id: ctx.state.user.id,
    }))
    app.get('/basic/write', basicAuth({ verify: verifyBasic }), requireScopes('items:write'), () => 'written')
    const jwt = bearerJwt({
      key: secret,
      algorithms: ['HS256'],
      issuer: 'https://issuer.test',
      audience: 'swiftlet-tests',
    })
    app.get('/jwt', jwt, (ctx) => ctx.state.user as JwtUser)
    app.get('/jwt/write', jwt, requireScopes('items:write'), () => 'written')
    const keys = new Map([['key-123', { id: 'robot', scopes: [] }]])
    app.get('/key', apiKey({ verify: (key) => keys.get(key) }), (ctx) => ({ id: ctx.state.user.id }))
    app.get('/key-q', apiKey({ query: 'api_key', verify: (key) => keys.get(key) }), (ctx) => ({
      id: ctx.state.user.id,
    }))
    base = await start(app)
  })

  afterAll(() => app.close())

  const get = (path: string, authorization?: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { headers: authorization ? { authorization, ...headers } : headers })

  describe('basicAuth()', () => {
    it('answers 401 with a Basic challenge when no credentials are sent', async () => {
      const res = await get('/basic')
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="admin", charset="UTF-8"')
      expect(await res.json()).toMatchObject({ code: 'ERR_UNAUTHORIZED' })
    })

    it('answers 401 for a wrong password and a malformed header', async () => {
      for (const auth of [basic('ada', 'wrong'), 'Basic !!!', 'Basic bm9jb2xvbg==']) {
        const res = await get('/basic', auth)
        expect(res.status).toBe(401)
        expect(res.headers.get('www-authenticate')).toMatch(/^Basic /)
      }
    })

    it('puts the user on ctx.state when the password (which may hold a colon) matches', async () => {
      const res = await get('/basic', basic('ada', 'pa:ss'))
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ id: 'ada' })
    })
  })

  describe('bearerJwt()', () => {
    it('answers 401 with a bare Bearer challenge when no token is sent (RFC 6750 §3.1)', async () => {
      const res = await get('/jwt')
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="api"')
    })

    it('puts the user, scopes and claims on ctx.state for a valid token', async () => {
      const res = await get('/jwt', `Bearer ${await token({ scope: 'items:read items:write' })}`)
      expect(res.status).toBe(200)
      expect(await res.json()).toMatchObject({
        id: 'ada',
        scopes: ['items:read', 'items:write'],
        claims: { sub: 'ada' },
      })
    })

    it('accepts a token expired by less than the clock tolerance', async () => {
      const res = await get('/jwt', `Bearer ${await token({}, { exp: Math.floor(Date.now() / 1000) - 2 })}`)
      expect(res.status).toBe(200)
    })

    it('answers 401 invalid_token for an expired token, a wrong issuer, a disallowed alg, alg none', async () => {
      const now = Math.floor(Date.now() / 1000)
      const cases: Array<[string, string]> = [
        [await token({}, { exp: now - 60 }), 'token expired'],
        [await token({}, { iss: 'https://evil.test' }), 'iss claim not accepted'],
        [await token({}, { alg: 'HS384' }), 'algorithm not accepted'],
        [new UnsecuredJWT({ sub: 'ada' }).encode(), 'algorithm not accepted'],
        [(await token({})).slice(0, -4) + 'AAAA', 'signature invalid'],
        ['not.a.jwt', 'malformed token'],
      ]
      for (const [jwt, description] of cases) {
        const res = await get('/jwt', `Bearer ${jwt}`)
        expect(res.status).toBe(401)
        expect(res.headers.get('www-authenticate')).toBe(
          `Bearer realm="api", error="invalid_token", error_description="${description}"`,
        )
      }
    })

    it('refuses to be built without an algorithms allow-list, or with none', () => {
      expect(() => bearerJwt({ key: secret, algorithms: [] })).toThrow(TypeError)
      expect(() => bearerJwt({ key: secret, algorithms: ['none' as 'HS256'] })).toThrow(TypeError)
    })
  })

  describe('apiKey()', () => {
    it('reads the key from the x-api-key header', async () => {
      const res = await get('/key', undefined, { 'x-api-key': 'key-123' })
      expect(await res.json()).toEqual({ id: 'robot' })
    })

    it('answers 401 with an ApiKey challenge for a missing or unknown key', async () => {
      for (const headers of [{}, { 'x-api-key': 'nope' }] as Record<string, string>[]) {
        const res = await get('/key', undefined, headers)
        expect(res.status).toBe(401)
        expect(res.headers.get('www-authenticate')).toBe('ApiKey realm="api", header="x-api-key"')
      }
    })

    it('reads the query parameter only when enabled', async () => {
      expect((await get('/key-q?api_key=key-123')).status).toBe(200)
      expect((await get('/key?api_key=key-123')).status).toBe(401)
    })
  })

  describe('requireScopes()', () => {
    it('answers 403 with insufficient_scope for a Bearer token lacking the scope (RFC 6750 §3.1)', async () => {
      const res = await get('/jwt/write', `Bearer ${await token({ scope: 'items:read' })}`)
      expect(res.status).toBe(403)
      expect(res.headers.get('www-authenticate')).toBe(
        'Bearer realm="api", error="insufficient_scope", scope="items:write"',
      )
      expect(await res.json()).toMatchObject({ code: 'ERR_FORBIDDEN', message: 'missing scope: items:write' })
    })

    it('answers 403 without a challenge for a Basic user lacking the scope (RFC 9110 §15.5.4)', async () => {
      const res = await get('/basic/write', basic('ada', 'pa:ss'))
      expect(res.status).toBe(403)
      expect(res.headers.get('www-authenticate')).toBeNull()
    })

    it('lets the request through when every scope is granted', async () => {
      const res = await get('/jwt/write', `Bearer ${await token({ scp: ['items:write'] })}`)
      expect(await res.text()).toBe('written')
    })

    it('answers 401, not 403, when the credentials are missing', async () => {
      expect((await get('/jwt/write')).status).toBe(401)
    })
  })
})
