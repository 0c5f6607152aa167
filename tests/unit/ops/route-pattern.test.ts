import { describe, expect, it } from 'vitest'
import { createApp, Router } from '../../../src/index.js'

describe('ctx.routePattern', () => {
  it('is the matched pattern, router prefix included, and undefined for automatic answers', async () => {
    const app = createApp({ logger: false })
    const seen: (string | undefined)[] = []
    app.use(async (ctx, next) => {
      await next()
      seen.push(ctx.routePattern)
    })
    const api = new Router({ prefix: '/api' })
    api.get('/users/:id', (ctx) => ({ pattern: ctx.routePattern }))
    app.mount(api)
    const res = await app.inject('/api/users/42')
    expect(res.json()).toEqual({ pattern: '/api/users/:id' })
    expect((await app.inject('/nowhere')).status).toBe(404)
    expect((await app.inject({ method: 'DELETE', url: '/api/users/42' })).status).toBe(405)
    expect(seen).toEqual(['/api/users/:id', undefined, undefined])
  })
})
