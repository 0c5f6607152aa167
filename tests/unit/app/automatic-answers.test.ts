import { describe, expect, it } from 'vitest'
import { ERR } from '../../../src/index.js'
import { quietApp } from './helpers.js'

describe('automatic answers', () => {
  it('answers an unknown path with 404 JSON', async () => {
    const app = quietApp()
    const res = await app.inject('/nope')
    expect(res.status).toBe(404)
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(res.json()).toMatchObject({ status: 404, code: ERR.NOT_FOUND })
  })

  it('answers a known path with a wrong method with 405 and Allow (RFC 9110 §15.5.6)', async () => {
    const app = quietApp()
    app.get('/items', () => [])
    app.post('/items', () => ({}))
    const res = await app.inject({ method: 'DELETE', url: '/items' })
    expect(res.status).toBe(405)
    expect(res.headers.allow).toBe('GET, HEAD, OPTIONS, POST')
    expect(res.json()).toMatchObject({ status: 405, code: ERR.METHOD_NOT_ALLOWED })
  })

  it('lists the methods of every route matching the path in Allow', async () => {
    const app = quietApp()
    app.put('/items/special', () => 'put')
    app.delete('/items/:id', () => 'deleted')
    const res = await app.inject({ method: 'POST', url: '/items/special' })
    expect(res.status).toBe(405)
    expect(res.headers.allow).toBe('DELETE, OPTIONS, PUT')
  })

  it('answers OPTIONS with 204 and Allow, without a body', async () => {
    const app = quietApp()
    app.get('/items', () => [])
    app.delete('/items', () => undefined)
    const res = await app.inject({ method: 'OPTIONS', url: '/items' })
    expect(res.status).toBe(204)
    expect(res.headers.allow).toBe('DELETE, GET, HEAD, OPTIONS')
    expect(res.body).toBe('')
  })

  it('answers OPTIONS on an unknown path with 404', async () => {
    const app = quietApp()
    app.get('/items', () => [])
    expect((await app.inject({ method: 'OPTIONS', url: '/nope' })).status).toBe(404)
  })

  it('answers HEAD from a GET route with its headers and content-length and no body', async () => {
    const app = quietApp()
    let runs = 0
    app.get('/hello', (ctx) => {
      runs++
      ctx.header('x-custom', 'yes')
      return 'hello, world'
    })
    const get = await app.inject('/hello')
    const head = await app.inject({ method: 'HEAD', url: '/hello' })
    expect(head.status).toBe(200)
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength('hello, world')))
    expect(head.headers['content-type']).toBe(get.headers['content-type'])
    expect(head.headers['x-custom']).toBe('yes')
    expect(head.body).toBe('')
    expect(runs).toBe(2)
  })

  it('answers HEAD with 405 when the path only has non-GET routes', async () => {
    const app = quietApp()
    app.post('/items', () => ({}))
    const res = await app.inject({ method: 'HEAD', url: '/items' })
    expect(res.status).toBe(405)
    expect(res.headers.allow).toBe('OPTIONS, POST')
  })

  it('does not answer GET /static with a 405 listing GET when only /static/* exists', async () => {
    const app = quietApp()
    app.get('/static/*', (ctx) => ({ rest: ctx.params['*'] }))
    const res = await app.inject('/static')
    // Either policy is fine (the wildcard matching an empty rest, or no match); a 405 whose Allow names
    // the very method that was refused contradicts itself.
    expect([200, 404]).toContain(res.status)
  })
})
