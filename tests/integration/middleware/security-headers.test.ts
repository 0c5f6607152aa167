import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, securityHeaders } from '../../../src/index.js'
import { serve, type Served } from './undici-client.js'

describe('securityHeaders()', () => {
  let served: Served

  beforeAll(async () => {
    const app = createApp({ logger: false })
    app.use(
      securityHeaders({
        xFrameOptions: 'DENY',
        strictTransportSecurity: { maxAge: 600, preload: true },
        crossOriginResourcePolicy: false,
      }),
    )
    app.get('/', () => 'hi')
    app.get('/embed', (ctx) => ctx.header('content-security-policy', "frame-ancestors 'none'").text('x'))
    served = await serve(app)
  })
  afterAll(() => served.close())

  it('sends the defaults with the overrides applied', async () => {
    const res = await served.call('/')
    expect(res.headers['content-security-policy']).toContain("default-src 'self'")
    expect(res.headers['content-security-policy']).toContain("object-src 'none'")
    expect(res.headers['strict-transport-security']).toBe('max-age=600; includeSubDomains; preload')
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['x-frame-options']).toBe('DENY')
    expect(res.headers['referrer-policy']).toBe('no-referrer')
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin')
    expect(res.headers['cross-origin-resource-policy']).toBeUndefined()
  })

  it('lets a handler replace one header for its own response', async () => {
    const res = await served.call('/embed')
    expect(res.headers['content-security-policy']).toBe("frame-ancestors 'none'")
  })

  it('sends them on automatic 404 answers too', async () => {
    const res = await served.call('/missing')
    expect(res.status).toBe(404)
    expect(res.headers['x-content-type-options']).toBe('nosniff')
  })

  it('builds a CSP from directives', async () => {
    const app = createApp({ logger: false })
    app.use(securityHeaders({ contentSecurityPolicy: { 'default-src': ["'none'"], 'img-src': ['https:'] } }))
    app.get('/', () => 'ok')
    const other = await serve(app)
    try {
      const res = await other.call('/')
      expect(res.headers['content-security-policy']).toBe("default-src 'none'; img-src https:")
    } finally {
      await other.close()
    }
  })

  it('refuses a header value that could split the response', () => {
    expect(() => securityHeaders({ referrerPolicy: 'no-referrer\r\nx-evil: 1' })).toThrow(/invalid value/)
  })
})
