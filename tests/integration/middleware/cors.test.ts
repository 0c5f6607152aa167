import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cors, createApp, HttpError } from '../../../src/index.js'
import { serve, type Served } from './undici-client.js'

const ALLOWED = 'https://app.example.com'

describe('cors()', () => {
  let served: Served

  beforeAll(async () => {
    const app = createApp({ logger: false })
    app.use(
      cors({
        origin: [ALLOWED, /^https:\/\/[a-z0-9-]+\.preview\.example\.com$/],
        credentials: true,
        exposeHeaders: ['x-total-count'],
        maxAge: 300,
      }),
    )
    app.get('/items', () => [1, 2])
    app.put('/items', () => ({ saved: true }))
    app.get('/boom', () => {
      throw new HttpError(418, 'teapot')
    })
    served = await serve(app)
  })
  afterAll(() => served.close())

  it('answers a preflight from an allowed origin with 204, methods, headers and max-age', async () => {
    const res = await served.call('/items', {
      method: 'OPTIONS',
      headers: {
        origin: ALLOWED,
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'content-type, x-token',
      },
    })
    expect(res.status).toBe(204)
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED)
    expect(res.headers['access-control-allow-credentials']).toBe('true')
    expect(res.headers['access-control-allow-methods']).toContain('PUT')
    expect(res.headers['access-control-allow-headers']).toBe('content-type, x-token')
    expect(res.headers['access-control-max-age']).toBe('300')
    expect(res.headers.vary).toBe('Origin, Access-Control-Request-Headers')
    expect(res.body.length).toBe(0)
  })

  it('leaves a preflight from another origin to the app, without CORS headers', async () => {
    const res = await served.call('/items', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'PUT' },
    })
    expect(res.status).toBe(204)
    expect(res.headers.allow).toBe('GET, HEAD, OPTIONS, PUT')
    expect(res.headers['access-control-allow-origin']).toBeUndefined()
    expect(res.headers.vary).toBe('Origin')
  })

  it('adds the allow headers and Vary: Origin to an actual request from an allowed origin', async () => {
    const res = await served.call('/items', { headers: { origin: ALLOWED } })
    expect(res.status).toBe(200)
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED)
    expect(res.headers['access-control-expose-headers']).toBe('x-total-count')
    expect(res.headers.vary).toBe('Origin')
  })

  it('allows origins matching a RegExp', async () => {
    const origin = 'https://pr-12.preview.example.com'
    const res = await served.call('/items', { headers: { origin } })
    expect(res.headers['access-control-allow-origin']).toBe(origin)
  })

  it('never reflects an origin outside the list, nor null, even with credentials', async () => {
    for (const origin of ['https://evil.example', 'null', 'https://app.example.com.evil.example']) {
      const res = await served.call('/items', { headers: { origin } })
      expect(res.status).toBe(200)
      expect(res.headers['access-control-allow-origin']).toBeUndefined()
      expect(res.headers['access-control-allow-credentials']).toBeUndefined()
      expect(res.headers.vary).toBe('Origin')
    }
  })

  it('keeps the CORS headers on error responses', async () => {
    const res = await served.call('/boom', { headers: { origin: ALLOWED } })
    expect(res.status).toBe(418)
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED)
  })

  it('answers any origin with * when no list is given, without Vary', async () => {
    const app = createApp({ logger: false })
    app.use(cors())
    app.get('/', () => 'ok')
    const other = await serve(app)
    try {
      const res = await other.call('/', { headers: { origin: 'https://anything.example' } })
      expect(res.headers['access-control-allow-origin']).toBe('*')
      expect(res.headers.vary).toBeUndefined()
    } finally {
      await other.close()
    }
  })

  it('asks an async function which origins are allowed', async () => {
    const app = createApp({ logger: false })
    app.use(cors({ origin: async (origin) => origin.endsWith('.test') }))
    app.get('/', () => 'ok')
    const other = await serve(app)
    try {
      const allowed = await other.call('/', { headers: { origin: 'https://a.test' } })
      expect(allowed.headers['access-control-allow-origin']).toBe('https://a.test')
      const refused = await other.call('/', { headers: { origin: 'https://a.example' } })
      expect(refused.headers['access-control-allow-origin']).toBeUndefined()
    } finally {
      await other.close()
    }
  })

  it('refuses credentials with the * origin at startup', () => {
    expect(() => cors({ credentials: true })).toThrow(/credentials/)
  })
})
