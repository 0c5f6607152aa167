import { describe, expect, it } from 'vitest'
import { Router } from '../../../src/index.js'
import { quietApp } from './helpers.js'

function namedApp() {
  const app = quietApp()
  const api = new Router({ prefix: '/api' })
  app.get('/users/:id', { name: 'user' }, (ctx) => ({ id: ctx.params.id }))
  app.get('/users/:id/books/:bookId', { name: 'book' }, (ctx) => ({ ...ctx.params }))
  app.get('/static/*', { name: 'static' }, (ctx) => ({ rest: ctx.params['*'] }))
  api.get('/items', { name: 'items' }, () => [])
  app.mount(api)
  return app
}

describe('app.urlFor()', () => {
  it('fills params and includes router prefixes', () => {
    const app = namedApp()
    expect(app.urlFor('book', { id: 7, bookId: 'b1' })).toBe('/users/7/books/b1')
    expect(app.urlFor('items')).toBe('/api/items')
  })

  it('percent-encodes a param, including slashes, spaces and non-ASCII', () => {
    const app = namedApp()
    expect(app.urlFor('user', { id: 'a/b c' })).toBe('/users/a%2Fb%20c')
    expect(app.urlFor('user', { id: 'João' })).toBe('/users/Jo%C3%A3o')
    expect(app.urlFor('user', { id: 'x?y#z%' })).toBe('/users/x%3Fy%23z%25')
  })

  it('keeps the slashes of a wildcard value and encodes the rest', () => {
    const app = namedApp()
    expect(app.urlFor('static', { '*': 'css/a b.css' })).toBe('/static/css/a%20b.css')
  })

  it('encodes ? and # inside a wildcard value so they stay in the path', () => {
    const app = namedApp()
    expect(app.urlFor('static', { '*': 'docs/what?.txt' })).toBe('/static/docs/what%3F.txt')
    expect(app.urlFor('static', { '*': 'docs/c#.md' })).toBe('/static/docs/c%23.md')
  })

  it('appends a query string', () => {
    const app = namedApp()
    expect(app.urlFor('items', {}, { q: 'a b', page: '2' })).toBe('/api/items?q=a+b&page=2')
  })

  it.each([
    ['a param with a slash and "?"', 'user', { id: 'a/b c?d' }, { id: 'a/b c?d' }],
    ['a param with non-ASCII, "&" and "%"', 'user', { id: 'Zoë & 100%' }, { id: 'Zoë & 100%' }],
    ['a wildcard with spaces', 'static', { '*': 'dir/sub dir/file.txt' }, { rest: 'dir/sub dir/file.txt' }],
    ['a wildcard with "?"', 'static', { '*': 'dir/what?.txt' }, { rest: 'dir/what?.txt' }],
  ])('builds a URL for %s that routes back to the same params', async (_what, name, params, expected) => {
    const app = namedApp()
    expect((await app.inject(app.urlFor(name, params))).json()).toEqual(expected)
  })

  it('throws for an unknown name or a missing param', () => {
    const app = namedApp()
    expect(() => app.urlFor('nope')).toThrow(/no route named "nope"/)
    expect(() => app.urlFor('book', { id: 1 })).toThrow(/missing param "bookId"/)
  })
})
