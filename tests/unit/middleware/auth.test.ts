import { describe, expect, it } from 'vitest'
import { createApp } from '../../../src/index.js'
import { apiKey, basicAuth, requireScopes, type AuthState } from '../../../src/middleware/auth/index.js'

const basic = (pair: string): string => `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`

describe('basicAuth', () => {
  it('decodes UTF-8 user names and passwords (RFC 7617 charset="UTF-8")', async () => {
    const app = createApp<AuthState>({ logger: false })
    app.get(
      '/',
      basicAuth({ verify: (user, pass) => (pass === 'pässwörd' ? { id: user } : null) }),
      (ctx) => ({
        id: ctx.state.user.id,
      }),
    )
    const res = await app.inject({ url: '/', headers: { authorization: basic('zoë:pässwörd') } })
    expect(res.json()).toEqual({ id: 'zoë' })
  })

  it('accepts the scheme name in any case (RFC 9110 §11.1)', async () => {
    const app = createApp<AuthState>({ logger: false })
    app.get('/', basicAuth({ verify: (user) => ({ id: user }) }), () => 'ok')
    const res = await app.inject({
      url: '/',
      headers: { authorization: basic('a:b').replace('Basic', 'bAsIc') },
    })
    expect(res.status).toBe(200)
  })

  it('escapes quotes in the realm of the challenge', async () => {
    const app = createApp({ logger: false })
    app.get('/', basicAuth({ realm: 'say "hi"', verify: () => null }), () => 'ok')
    const res = await app.inject('/')
    expect(res.headers['www-authenticate']).toBe('Basic realm="say \\"hi\\"", charset="UTF-8"')
  })
})

describe('apiKey', () => {
  it('refuses to be built with neither a header nor a query parameter', () => {
    expect(() => apiKey({ header: false, verify: () => null })).toThrow(TypeError)
  })

  it('names the query parameter in the challenge when only the query is read', async () => {
    const app = createApp({ logger: false })
    app.get('/', apiKey({ header: false, query: 'key', verify: () => null }), () => 'ok')
    expect((await app.inject('/')).headers['www-authenticate']).toBe('ApiKey realm="api", query="key"')
  })
})

describe('requireScopes', () => {
  it('answers 500 (a wiring mistake) when no authentication middleware ran before it', async () => {
    const app = createApp({ logger: false })
    app.get('/', requireScopes('admin'), () => 'ok')
    expect((await app.inject('/')).status).toBe(500)
  })
})
