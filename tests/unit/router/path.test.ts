import { describe, expect, it } from 'vitest'
import { joinPaths, normalizePath, removeDotSegments, splitPath } from '../../../src/router/path.js'

describe('normalizePath', () => {
  it('returns the same string when the path is already canonical', () => {
    const path = '/users/42/books'
    expect(normalizePath(path)).toBe(path)
  })

  it('decodes escapes of unreserved characters', () => {
    expect(normalizePath('/%7Euser')).toBe('/~user')
    expect(normalizePath('/%41%62%2D%5F%2E%7e')).toBe('/Ab-_.~')
  })

  it('upper-cases the hex digits of escapes it keeps', () => {
    expect(normalizePath('/caf%c3%a9')).toBe('/caf%C3%A9')
    expect(normalizePath('/a%2fb')).toBe('/a%2Fb')
  })

  it('keeps an encoded slash encoded so it never becomes a separator', () => {
    expect(normalizePath('/files/a%2Fb')).toBe('/files/a%2Fb')
    expect(normalizePath('/files/a%2F..%2Fb')).toBe('/files/a%2F..%2Fb')
  })

  it('keeps escapes of other reserved characters encoded', () => {
    expect(normalizePath('/q%3Fx%23y%25')).toBe('/q%3Fx%23y%25')
  })

  it('removes dot segments, including encoded ones', () => {
    expect(normalizePath('/a/./b/../c')).toBe('/a/c')
    expect(normalizePath('/static/%2e%2e/secret')).toBe('/secret')
    expect(normalizePath('/static/%2E/x')).toBe('/static/x')
    expect(normalizePath('/static/.%2e/.%2E/etc/passwd')).toBe('/etc/passwd')
  })

  it('leaves segments that only start with a dot alone', () => {
    expect(normalizePath('/a/.well-known/..b')).toBe('/a/.well-known/..b')
  })

  it('leaves malformed escapes as they are', () => {
    expect(normalizePath('/users/100%')).toBe('/users/100%')
    expect(normalizePath('/users/%zz')).toBe('/users/%zz')
    expect(normalizePath('/users/%E2_7')).toBe('/users/%E2_7')
  })
})

describe('removeDotSegments', () => {
  it('never climbs above the root', () => {
    expect(removeDotSegments('/..')).toBe('/')
    expect(removeDotSegments('/../../etc/passwd')).toBe('/etc/passwd')
    expect(removeDotSegments('/a/../../../b')).toBe('/b')
  })

  it('leaves a trailing slash when the last segment is a dot segment', () => {
    expect(removeDotSegments('/a/b/..')).toBe('/a/')
    expect(removeDotSegments('/a/b/.')).toBe('/a/b/')
  })

  it('keeps empty segments and a trailing slash', () => {
    expect(removeDotSegments('/a//b/./c/')).toBe('/a//b/c/')
  })
})

describe('splitPath', () => {
  it('splits on slashes, keeping a trailing empty segment', () => {
    expect(splitPath('/a/b')).toEqual(['a', 'b'])
    expect(splitPath('/a/b/')).toEqual(['a', 'b', ''])
    expect(splitPath('/')).toEqual([''])
  })

  it('throws TypeError when the path does not start with a slash', () => {
    expect(() => splitPath('a/b')).toThrow(TypeError)
  })
})

describe('joinPaths', () => {
  it('joins a prefix and a path', () => {
    expect(joinPaths('/api', '/items')).toBe('/api/items')
    expect(joinPaths('/api/v1', '/items/:id')).toBe('/api/v1/items/:id')
  })

  it('maps the root route of a prefixed router to the prefix itself', () => {
    expect(joinPaths('/api', '/')).toBe('/api')
  })

  it('drops a trailing slash of the prefix', () => {
    expect(joinPaths('/api/', '/items')).toBe('/api/items')
  })

  it('returns the path unchanged for an empty or root prefix', () => {
    expect(joinPaths('', '/items')).toBe('/items')
    expect(joinPaths('/', '/items')).toBe('/items')
    expect(joinPaths('', '/')).toBe('/')
  })
})
