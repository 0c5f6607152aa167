import { describe, expect, it } from 'vitest'
import {
  appendVary,
  computeEtag,
  createApp,
  ifNoneMatchHolds,
  isCompressible,
  parseBytes,
  securityHeaderValues,
} from '../../../src/index.js'

describe('appendVary', () => {
  it('adds names once, keeps what is there and leaves * alone', async () => {
    const app = createApp({ logger: false })
    app.get('/', (ctx) => {
      ctx.header('vary', 'accept')
      appendVary(ctx, 'Origin')
      appendVary(ctx, 'origin', 'Accept-Encoding')
      return 'ok'
    })
    app.get('/star', (ctx) => {
      ctx.header('vary', '*')
      appendVary(ctx, 'Origin')
      return 'ok'
    })
    expect((await app.inject('/')).headers.vary).toBe('accept, Origin, Accept-Encoding')
    expect((await app.inject('/star')).headers.vary).toBe('*')
  })
})

describe('computeEtag', () => {
  it('gives the same tag for the same bytes, text or binary, and a weak form on request', () => {
    const tag = computeEtag('héllo')
    expect(computeEtag(Buffer.from('héllo'))).toBe(tag)
    expect(tag.startsWith('"6-')).toBe(true)
    expect(computeEtag('héllo', true)).toBe(`W/${tag}`)
    expect(computeEtag('hello')).not.toBe(tag)
  })
})

describe('ifNoneMatchHolds', () => {
  it('compares weakly and understands lists and *', () => {
    expect(ifNoneMatchHolds('W/"a"', '"a"')).toBe(true)
    expect(ifNoneMatchHolds('"x", "a"', 'W/"a"')).toBe(true)
    expect(ifNoneMatchHolds('*', '"a"')).toBe(true)
    expect(ifNoneMatchHolds('"ab"', '"a"')).toBe(false)
  })
})

describe('parseBytes', () => {
  it('reads numbers and binary unit strings', () => {
    expect(parseBytes(10)).toBe(10)
    expect(parseBytes('64kb')).toBe(65_536)
    expect(parseBytes('1.5MB')).toBe(1_572_864)
    expect(() => parseBytes('ten')).toThrow(RangeError)
    expect(() => parseBytes(-1)).toThrow(RangeError)
  })
})

describe('isCompressible', () => {
  it('accepts text and structured types, refuses event streams and binary media', () => {
    expect(isCompressible('application/json; charset=utf-8')).toBe(true)
    expect(isCompressible('application/problem+json')).toBe(true)
    expect(isCompressible('text/html')).toBe(true)
    expect(isCompressible('image/svg+xml')).toBe(true)
    expect(isCompressible('text/event-stream')).toBe(false)
    expect(isCompressible('image/png')).toBe(false)
    expect(isCompressible('')).toBe(false)
  })
})

describe('securityHeaderValues', () => {
  it('lists the defaults and drops the ones turned off', () => {
    const headers = securityHeaderValues({ contentSecurityPolicy: false })
    expect(headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains')
    expect(headers.get('x-frame-options')).toBe('SAMEORIGIN')
    expect(headers.has('content-security-policy')).toBe(false)
    expect(() => securityHeaderValues({ strictTransportSecurity: { maxAge: -1 } })).toThrow(RangeError)
  })
})
