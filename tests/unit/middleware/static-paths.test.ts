import { describe, expect, it } from 'vitest'
import { normalizePath } from '../../../src/index.js'
import { parseRange } from '../../../src/middleware/static/conditional.js'
import { resolveUnder } from '../../../src/middleware/static/resolve.js'

const root = '/srv/public'
const resolve = (target: string, prefix = '') => resolveUnder(root, prefix, normalizePath(target), 'ignore')

describe('resolveUnder', () => {
  it('maps the canonical path the router sees onto the root', () => {
    expect(resolve('/css/site.css')).toEqual({ file: '/srv/public/css/site.css', directory: false })
    expect(resolve('/%7Euser/a%20b.txt')).toEqual({ file: '/srv/public/~user/a b.txt', directory: false })
    expect(resolve('/docs/')).toEqual({ file: '/srv/public/docs', directory: true })
  })

  it('strips the prefix at a segment boundary only', () => {
    expect(resolve('/assets/app.js', '/assets')).toEqual({ file: '/srv/public/app.js', directory: false })
    expect(resolve('/assetsx/app.js', '/assets')).toBeUndefined()
  })

  it('never leaves the root through dot segments, however encoded', () => {
    for (const target of [
      '/../etc/passwd',
      '/a/../../etc/passwd',
      '/%2e%2e/etc/passwd',
      '/.%2E/etc/passwd',
    ]) {
      const result = resolve(target)
      expect(result && 'file' in result ? result.file.startsWith(`${root}/`) : true).toBe(true)
    }
  })

  it('refuses encoded separators, backslashes, NUL, bad escapes and empty segments', () => {
    expect(resolve('/a%2Fb')).toMatchObject({ status: 403 })
    expect(resolve('/a%5Cb')).toMatchObject({ status: 403 })
    expect(resolve('/a\\b')).toMatchObject({ status: 403 })
    expect(resolve('/a%00')).toMatchObject({ status: 400 })
    expect(resolve('/a%E0%A4%A')).toMatchObject({ status: 400 })
    expect(resolve('//etc/passwd')).toMatchObject({ status: 404 })
  })

  it('treats dotfiles by policy', () => {
    expect(resolve('/.git/config')).toMatchObject({ status: 404 })
    expect(resolveUnder(root, '', '/.env', 'deny')).toMatchObject({ status: 403 })
    expect(resolveUnder(root, '', '/.well-known/x', 'allow')).toMatchObject({
      file: '/srv/public/.well-known/x',
    })
  })
})

describe('parseRange', () => {
  it('reads first-last, open-ended and suffix ranges (RFC 9110 §14.1.2)', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 })
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 })
    expect(parseRange('bytes=95-200', 100)).toEqual({ start: 95, end: 99 })
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 })
    expect(parseRange('bytes=-500', 100)).toEqual({ start: 0, end: 99 })
  })

  it('reports unsatisfiable ranges', () => {
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable')
    expect(parseRange('bytes=-0', 100)).toBe('unsatisfiable')
    expect(parseRange('bytes=0-', 0)).toBe('unsatisfiable')
  })

  it('ignores what it does not serve: other units, several ranges, malformed ones', () => {
    for (const header of ['items=0-1', 'bytes=0-1,3-4', 'bytes=5-1', 'bytes=-', 'bytes=a-b']) {
      expect(parseRange(header, 100)).toBeUndefined()
    }
  })
})
