import { describe, expect, it } from 'vitest'
import {
  createApp,
  DEFAULT_FORM_LIMITS,
  dispositionHeader,
  parseForm,
  parseMultipart,
  sanitizeFilename,
} from '../../../src/index.js'
import { isFresh, parseRange, rangeApplies } from '../../../src/files/conditional.js'
import { formLimits } from '../../../src/files/limits.js'
import { multipartBody, MULTIPART_TYPE } from '../../integration/files/helpers.js'

describe('sanitizeFilename', () => {
  it('keeps the last path segment only, whatever the separator', () => {
    expect(sanitizeFilename('../../etc/passwd')).toBe('passwd')
    expect(sanitizeFilename('C:\\Users\\me\\report.pdf')).toBe('report.pdf')
  })

  it('drops NUL, controls, bidi overrides and Windows-reserved characters', () => {
    expect(sanitizeFilename('a\u0000b\u001f\u007fc.txt')).toBe('abc.txt')
    expect(sanitizeFilename('invoice\u202Efdp.exe')).toBe('invoicefdp.exe')
    expect(sanitizeFilename('what?<is>:this*|".txt')).toBe('whatisthis.txt')
  })

  it('removes leading dots and trailing dots and spaces, and falls back when nothing is left', () => {
    expect(sanitizeFilename('.htaccess')).toBe('htaccess')
    expect(sanitizeFilename('..')).toBe('file')
    expect(sanitizeFilename('name. . ')).toBe('name')
    expect(sanitizeFilename(undefined, 'upload')).toBe('upload')
  })

  it('keeps unicode (NFC) and cuts at 255 UTF-8 bytes keeping the extension', () => {
    expect(sanitizeFilename('re\u0301sume\u0301 履歴書.pdf')).toBe('résumé 履歴書.pdf')
    const long = sanitizeFilename(`${'é'.repeat(300)}.jpeg`)
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(255)
    expect(long.endsWith('é.jpeg')).toBe(true)
  })
})

describe('dispositionHeader', () => {
  it('sends ASCII names as they are and others with an ASCII fallback plus filename* (RFC 6266, RFC 8187)', () => {
    expect(dispositionHeader('report.pdf')).toBe('attachment; filename="report.pdf"')
    // `"` is one of the characters sanitising drops (Windows forbids it in names).
    expect(dispositionHeader('a "quoted" name.txt', true)).toBe('inline; filename="a quoted name.txt"')
    expect(dispositionHeader('naïve €.txt')).toBe(
      `attachment; filename="naive _.txt"; filename*=UTF-8''na%C3%AFve%20%E2%82%AC.txt`,
    )
    expect(dispositionHeader('../../x\r\nSet-Cookie: a=b')).toBe('attachment; filename="xSet-Cookie a=b"')
    expect(dispositionHeader(undefined)).toBe('attachment')
  })
})

describe('parseRange (range-parser behind a strict syntax check)', () => {
  it('serves one range, clamping the end and a suffix longer than the representation', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 })
    expect(parseRange('bytes=95-500', 100)).toEqual({ start: 95, end: 99 })
    expect(parseRange('bytes=-500', 100)).toEqual({ start: 0, end: 99 })
    expect(parseRange('Bytes = 1-2', 100)).toEqual({ start: 1, end: 2 })
  })

  it('coalesces overlapping and adjacent ranges, ignores disjoint ones', () => {
    expect(parseRange('bytes=0-9,10-19', 100)).toEqual({ start: 0, end: 19 })
    expect(parseRange('bytes=0-9,5-50', 100)).toEqual({ start: 0, end: 50 })
    expect(parseRange('bytes=0-1,5-6', 100)).toBeUndefined()
  })

  it('reports unsatisfiable ranges only when none can be served', () => {
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable')
    expect(parseRange('bytes=200-300,400-', 100)).toBe('unsatisfiable')
    expect(parseRange('bytes=200-300,0-0', 100)).toEqual({ start: 0, end: 0 })
  })

  it('ignores malformed syntax range-parser would read leniently', () => {
    for (const header of ['bytes=5x-9', 'bytes=1-2-3', 'bytes=0x10-', 'bytes=9-5', 'bytes', 'bytes=,']) {
      expect(parseRange(header, 100)).toBeUndefined()
    }
  })
})

describe('isFresh / rangeApplies with a validator left out', () => {
  const mtime = new Date('2026-01-02T03:04:05Z')
  it('never matches a validator that is not sent', () => {
    expect(isFresh({ 'if-none-match': '"x"' }, undefined, mtime)).toBe(false)
    expect(isFresh({ 'if-none-match': '*' }, undefined, undefined)).toBe(true)
    expect(isFresh({ 'if-modified-since': mtime.toUTCString() }, '"x"', undefined)).toBe(false)
    expect(rangeApplies({ 'if-range': '"x"' }, undefined, mtime.toUTCString())).toBe(false)
    expect(rangeApplies({ 'if-range': mtime.toUTCString() }, '"x"', undefined)).toBe(false)
  })
})

describe('formLimits', () => {
  it('merges over the defaults and refuses nonsense at the call site', () => {
    expect(formLimits({ files: 1 })).toEqual({ ...DEFAULT_FORM_LIMITS, files: 1 })
    expect(() => formLimits({ fileSize: -1 })).toThrow(RangeError)
    expect(() => formLimits({ fields: 1.5 })).toThrow(RangeError)
  })
})

describe('forms through inject() (a core without body streaming)', () => {
  const app = createApp({ logger: false })
  app.post('/form', (ctx) => parseForm(ctx, { limits: { fields: 3 } }))
  app.post('/upload', async (ctx) => {
    const { fields, files } = await parseMultipart(ctx)
    return { fields, sizes: files.map((f) => f.size) }
  })

  it('parseForm() does not count empty pairs as fields', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/form',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1&&&&b=2&&c=3&',
    })
    expect(res.status).toBe(200)
    expect(res.json()).toEqual({ a: '1', b: '2', c: '3' })
  })

  it('parseMultipart() reads the buffered body the same way', async () => {
    const body = multipartBody([
      { field: 'x', value: 'y' },
      { file: 'f', filename: 'a.bin', content: 'abc' },
    ])
    const res = await app.inject({
      method: 'POST',
      url: '/upload',
      headers: { 'content-type': MULTIPART_TYPE },
      body,
    })
    expect(res.status).toBe(200)
    expect(res.json()).toEqual({ fields: { x: 'y' }, sizes: [3] })
  })
})
