import { describe, expect, it } from 'vitest'
import { createApp, HttpError, stateMiddleware } from '../../../src/index.js'

describe('router.group()', () => {
  const requireUser = stateMiddleware<{ user: { name: string } }>(async (ctx, next) => {
    const name = ctx.headers['x-user']
    if (!name) throw new HttpError(401)
    ctx.state.user = { name }
    await next()
  })
  const app = createApp({ logger: false })
  app.group(requireUser).get('/me', (ctx) => ({ name: ctx.state.user.name }))
  app.get('/public', () => 'open')

  it('runs the middleware before the group’s routes, whose handlers read the state it set', async () => {
    expect((await app.inject({ url: '/me', headers: { 'x-user': 'ada' } })).json()).toEqual({ name: 'ada' })
    expect((await app.inject('/me')).status).toBe(401)
  })

  it('does not run the middleware for routes outside the group', async () => {
    expect((await app.inject('/public')).body).toBe('open')
  })
})
