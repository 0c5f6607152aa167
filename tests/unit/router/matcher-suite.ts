/**
 * The ONE shared test suite every RouteMatcher implementation must pass (Hono's habit: several routers,
 * one suite). Run it from a `*.test.ts` file: `describeMatcher('SegmentTree', () => new SegmentTree())`.
 *
 * Paths given to `match()` and `allowed()` are canonical (what `normalizePath` returns), as the App passes them.
 */
import { describe, expect, it } from 'vitest'
import { ERR, RouteError, type RouteMatcher } from '../../../src/index.js'

/** Builds a fresh, empty matcher for each test. */
export type MatcherFactory = () => RouteMatcher<string>

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const

/** Registers `[method, pattern]` pairs; each value is `"METHOD pattern"` so a match names its route. */
function build(
  factory: MatcherFactory,
  routes: readonly (readonly [string, string])[],
): RouteMatcher<string> {
  const matcher = factory()
  for (const [method, pattern] of routes) matcher.add(method, pattern, `${method} ${pattern}`)
  return matcher
}

/** The matched route and its params as a plain object, or null. */
function found(matcher: RouteMatcher<string>, method: string, path: string) {
  const match = matcher.match(method, path)
  return match && { route: match.value, params: { ...match.params } }
}

function expectRouteError(add: () => void): void {
  let thrown: unknown
  try {
    add()
  } catch (err) {
    thrown = err
  }
  expect(thrown).toBeInstanceOf(RouteError)
  expect(thrown).toMatchObject({ code: ERR.INVALID_ROUTE })
}

/** Declares the shared RouteMatcher suite for one implementation. */
export function describeMatcher(name: string, factory: MatcherFactory): void {
  describe(`${name} (RouteMatcher)`, () => {
    describeStaticAndParams(factory)
    describePriority(factory)
    describeWildcard(factory)
    describeMethods(factory)
    describeAllowed(factory)
    describeStrictness(factory)
    describeErrors(factory)
    describeLinearTime(factory)
  })
}

function describeStaticAndParams(factory: MatcherFactory): void {
  describe('match() with static segments and params', () => {
    it('matches a static route and returns empty params', () => {
      const m = build(factory, [['GET', '/health']])
      expect(found(m, 'GET', '/health')).toEqual({ route: 'GET /health', params: {} })
    })

    it('returns null when nothing matches', () => {
      const m = build(factory, [['GET', '/health']])
      expect(m.match('GET', '/nope')).toBeNull()
      expect(m.match('GET', '/health/extra')).toBeNull()
    })

    it('matches the root path only with a root route', () => {
      const m = build(factory, [
        ['GET', '/'],
        ['GET', '/a'],
      ])
      expect(found(m, 'GET', '/')).toEqual({ route: 'GET /', params: {} })
      expect(build(factory, [['GET', '/a']]).match('GET', '/')).toBeNull()
    })

    it('captures one :param per segment, raw and still percent-encoded', () => {
      const m = build(factory, [['GET', '/users/:id/books/:bookId']])
      expect(found(m, 'GET', '/users/42/books/7')).toEqual({
        route: 'GET /users/:id/books/:bookId',
        params: { id: '42', bookId: '7' },
      })
      expect(found(m, 'GET', '/users/a%2Fb/books/x%20y')?.params).toEqual({ id: 'a%2Fb', bookId: 'x%20y' })
    })

    it('does not let a param span more than one segment', () => {
      const m = build(factory, [['GET', '/users/:id']])
      expect(m.match('GET', '/users/1/2')).toBeNull()
    })

    it('returns params as a null-prototype object so "__proto__" is an ordinary key', () => {
      const m = build(factory, [['GET', '/users/:id']])
      const params = m.match('GET', '/users/__proto__')?.params
      expect(params && Object.getPrototypeOf(params)).toBeNull()
      expect(params?.id).toBe('__proto__')
    })

    it('matches a static pattern written with non-ASCII characters against its percent-encoded path', () => {
      const m = build(factory, [['GET', '/café']])
      expect(found(m, 'GET', '/caf%C3%A9')?.route).toBe('GET /café')
    })

    it('matches a static pattern written with an unreserved escape against its canonical path', () => {
      const m = build(factory, [['GET', '/%7Euser']])
      expect(found(m, 'GET', '/~user')?.route).toBe('GET /%7Euser')
    })
  })
}

function describePriority(factory: MatcherFactory): void {
  describe('match() priority', () => {
    const orders = (routes: (readonly [string, string])[]) => [routes, [...routes].reverse()]

    it('prefers a static segment over a param whatever the registration order', () => {
      for (const routes of orders([
        ['GET', '/users/:id'],
        ['GET', '/users/me'],
      ])) {
        const m = build(factory, routes)
        expect(found(m, 'GET', '/users/me')).toEqual({ route: 'GET /users/me', params: {} })
        expect(found(m, 'GET', '/users/42')).toEqual({ route: 'GET /users/:id', params: { id: '42' } })
      }
    })

    it('prefers a param over a wildcard whatever the registration order', () => {
      for (const routes of orders([
        ['GET', '/files/*'],
        ['GET', '/files/:name'],
      ])) {
        const m = build(factory, routes)
        expect(found(m, 'GET', '/files/a.txt')).toEqual({
          route: 'GET /files/:name',
          params: { name: 'a.txt' },
        })
        expect(found(m, 'GET', '/files/dir/a.txt')).toEqual({
          route: 'GET /files/*',
          params: { '*': 'dir/a.txt' },
        })
      }
    })

    it('prefers a static segment earlier in the path, whatever the param names', () => {
      for (const routes of orders([
        ['GET', '/a/:x/c'],
        ['GET', '/a/b/:y'],
      ])) {
        const m = build(factory, routes)
        expect(found(m, 'GET', '/a/b/c')).toEqual({ route: 'GET /a/b/:y', params: { y: 'c' } })
        expect(found(m, 'GET', '/a/z/c')).toEqual({ route: 'GET /a/:x/c', params: { x: 'z' } })
      }
    })

    it('backtracks to a param when the static branch dead-ends', () => {
      for (const routes of orders([
        ['GET', '/a/b/c'],
        ['GET', '/a/:x/d'],
      ])) {
        const m = build(factory, routes)
        expect(found(m, 'GET', '/a/b/d')).toEqual({ route: 'GET /a/:x/d', params: { x: 'b' } })
        expect(found(m, 'GET', '/a/b/c')).toEqual({ route: 'GET /a/b/c', params: {} })
      }
    })

    it('backtracks to a wildcard when the param branch dead-ends, dropping the abandoned param', () => {
      for (const routes of orders([
        ['GET', '/a/*'],
        ['GET', '/a/:x/c'],
      ])) {
        const m = build(factory, routes)
        expect(found(m, 'GET', '/a/b/d')).toEqual({ route: 'GET /a/*', params: { '*': 'b/d' } })
      }
    })

    it('backtracks when the static branch has the path but not the method', () => {
      const m = build(factory, [
        ['GET', '/users/me'],
        ['POST', '/users/:id'],
      ])
      expect(found(m, 'POST', '/users/me')).toEqual({ route: 'POST /users/:id', params: { id: 'me' } })
    })
  })
}

function describeWildcard(factory: MatcherFactory): void {
  describe('match() with a trailing wildcard', () => {
    it('captures the rest of the path under "*" with its slashes', () => {
      const m = build(factory, [['GET', '/static/*']])
      expect(found(m, 'GET', '/static/css/site/main.css')).toEqual({
        route: 'GET /static/*',
        params: { '*': 'css/site/main.css' },
      })
    })

    it('keeps params before the wildcard', () => {
      const m = build(factory, [['GET', '/users/:id/files/*']])
      expect(found(m, 'GET', '/users/7/files/a/b%20c')?.params).toEqual({ id: '7', '*': 'a/b%20c' })
    })

    it('keeps trailing and empty segments inside the wildcard value', () => {
      const m = build(factory, [['GET', '/static/*']])
      expect(found(m, 'GET', '/static/a//b/')?.params).toEqual({ '*': 'a//b/' })
    })

    it('matches any path under a root wildcard, below every other route', () => {
      const m = build(factory, [
        ['GET', '/*'],
        ['GET', '/health'],
      ])
      expect(found(m, 'GET', '/health')?.route).toBe('GET /health')
      expect(found(m, 'GET', '/x/y/z')).toEqual({ route: 'GET /*', params: { '*': 'x/y/z' } })
    })
  })
}

function describeMethods(factory: MatcherFactory): void {
  describe('match() by method', () => {
    it('keeps different param names at the same position for different methods', () => {
      const m = build(factory, [
        ['GET', '/users/:id'],
        ['DELETE', '/users/:userId'],
      ])
      expect(found(m, 'GET', '/users/1')?.params).toEqual({ id: '1' })
      expect(found(m, 'DELETE', '/users/1')?.params).toEqual({ userId: '1' })
    })

    it('returns null for a method that has no route on the path', () => {
      const m = build(factory, [['GET', '/items']])
      expect(m.match('POST', '/items')).toBeNull()
    })

    it('matches ALL for every method, below a route for the exact method', () => {
      const m = build(factory, [
        ['ALL', '/any'],
        ['GET', '/any'],
      ])
      expect(found(m, 'GET', '/any')?.route).toBe('GET /any')
      for (const method of ['POST', 'PATCH', 'PROPFIND'])
        expect(found(m, method, '/any')?.route).toBe('ALL /any')
    })

    it('ranks by path before method: a static ALL beats a param GET', () => {
      const m = build(factory, [
        ['GET', '/users/:id'],
        ['ALL', '/users/me'],
      ])
      expect(found(m, 'GET', '/users/me')?.route).toBe('ALL /users/me')
    })

    it('treats method keys as case-sensitive strings', () => {
      const m = build(factory, [['GET', '/x']])
      expect(m.match('get', '/x')).toBeNull()
    })
  })
}

function describeAllowed(factory: MatcherFactory): void {
  const routes = [
    ['GET', '/items'],
    ['POST', '/items'],
    ['DELETE', '/items/:id'],
    ['PUT', '/items/special'],
    ['GET', '/static/*'],
    ['ALL', '/any'],
  ] as const

  describe('allowed()', () => {
    it('lists every method registered for the path (for 405 Allow)', () => {
      const m = build(factory, routes)
      expect(m.allowed('/items')).toEqual(new Set(['GET', 'POST']))
      expect(m.allowed('/items/3')).toEqual(new Set(['DELETE']))
      expect(m.allowed('/any')).toEqual(new Set(['ALL']))
    })

    it('merges the methods of a static route and a param route that both match', () => {
      const m = build(factory, routes)
      expect(m.allowed('/items/special')).toEqual(new Set(['PUT', 'DELETE']))
    })

    it('includes wildcard routes under the path', () => {
      const m = build(factory, routes)
      expect(m.allowed('/static/a/b')).toEqual(new Set(['GET']))
    })

    it('is empty for a path no route matches', () => {
      const m = build(factory, routes)
      expect(m.allowed('/nothing').size).toBe(0)
      expect(m.allowed('/items/3/extra').size).toBe(0)
    })

    it('agrees with match(): a method is allowed exactly when it matches the path', () => {
      const m = build(
        factory,
        routes.filter(([method]) => method !== 'ALL'),
      )
      const paths = [
        '/',
        '/items',
        '/items/',
        '/items/3',
        '/items/special',
        '/static',
        '/static/',
        '/static/a',
      ]
      for (const path of paths) {
        const matching = METHODS.filter((method) => m.match(method, path) !== null)
        expect({ path, allowed: [...m.allowed(path)].sort() }).toEqual({
          path,
          allowed: [...matching].sort(),
        })
      }
    })
  })
}

function describeStrictness(factory: MatcherFactory): void {
  describe('match() trailing slashes and empty segments (strict policy)', () => {
    it('does not match /items/ against /items, nor /items against /items/', () => {
      const m = build(factory, [['GET', '/items']])
      expect(m.match('GET', '/items/')).toBeNull()
      const slash = build(factory, [['GET', '/items/']])
      expect(slash.match('GET', '/items')).toBeNull()
      expect(found(slash, 'GET', '/items/')?.route).toBe('GET /items/')
    })

    it('keeps /items and /items/ as two distinct routes', () => {
      const m = build(factory, [
        ['GET', '/items'],
        ['GET', '/items/'],
      ])
      expect(found(m, 'GET', '/items')?.route).toBe('GET /items')
      expect(found(m, 'GET', '/items/')?.route).toBe('GET /items/')
    })

    it('never matches a param against an empty segment', () => {
      const m = build(factory, [
        ['GET', '/users/:id'],
        ['GET', '/a/:x/b'],
      ])
      expect(m.match('GET', '/users/')).toBeNull()
      expect(m.match('GET', '/a//b')).toBeNull()
      expect(m.allowed('/users/').size).toBe(0)
    })

    it('does not collapse double slashes into one', () => {
      const m = build(factory, [['GET', '/a/b']])
      expect(m.match('GET', '/a//b')).toBeNull()
      expect(m.match('GET', '//a/b')).toBeNull()
    })
  })
}

function describeErrors(factory: MatcherFactory): void {
  describe('add() errors', () => {
    it('throws RouteError for a duplicate method and pattern', () => {
      const m = build(factory, [['GET', '/items']])
      expectRouteError(() => m.add('GET', '/items', 'again'))
    })

    it('throws RouteError for a duplicate that differs only in param names', () => {
      const m = build(factory, [['GET', '/users/:id']])
      expectRouteError(() => m.add('GET', '/users/:userId', 'again'))
    })

    it('throws RouteError for a duplicate wildcard route', () => {
      const m = build(factory, [['GET', '/static/*']])
      expectRouteError(() => m.add('GET', '/static/*', 'again'))
    })

    it('throws RouteError for a duplicate spelled with a different escape of the same path', () => {
      const m = build(factory, [['GET', '/~user']])
      expectRouteError(() => m.add('GET', '/%7euser', 'again'))
    })

    it('accepts the same pattern for another method, and for ALL', () => {
      const m = build(factory, [['GET', '/items']])
      expect(() => m.add('POST', '/items', 'post')).not.toThrow()
      expect(() => m.add('ALL', '/items', 'all')).not.toThrow()
    })

    it.each([
      ['a wildcard that is not the last segment', '/files/*/meta'],
      ['an empty param name', '/users/:'],
      ['a param name starting with a digit', '/users/:1st'],
      ['a param name with punctuation', '/users/:id-name'],
      ['an optional-param suffix it does not support', '/users/:id?'],
      ['the same param name twice', '/a/:id/b/:id'],
      ['a pattern without a leading slash', 'users/:id'],
      ['an empty pattern', ''],
    ])('throws RouteError for %s', (_what, pattern) => {
      expectRouteError(() => factory().add('GET', pattern, 'x'))
    })
  })
}

function describeLinearTime(factory: MatcherFactory): void {
  describe('match() on pathological input', () => {
    // A hang detector, not a speed test: a backtracking matcher that revisits branches would take
    // exponential time here; the bound is generous enough for any machine.
    it('answers a 5,000-segment path against routes that all share params within a second', () => {
      const m = factory()
      for (let depth = 1; depth <= 60; depth++) {
        const params = Array.from({ length: depth }, (_, i) => `:p${i}`).join('/')
        m.add('GET', `/${params}/end`, `params ${depth}`)
        m.add('POST', `/${'a/'.repeat(depth)}end`, `statics ${depth}`)
      }
      m.add('GET', '/a/*', 'wildcard')
      const path = '/' + Array.from({ length: 5000 }, () => 'a').join('/')
      const start = performance.now()
      const match = m.match('GET', path)
      const missing = m.match('PUT', path)
      const allowed = m.allowed(path)
      const elapsed = performance.now() - start
      expect(match?.value).toBe('wildcard')
      expect(match?.params['*']).toHaveLength(path.length - 3)
      expect(missing).toBeNull()
      expect(allowed).toEqual(new Set(['GET']))
      expect(elapsed).toBeLessThan(1000)
    })
  })
}
