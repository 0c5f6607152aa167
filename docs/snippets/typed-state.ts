import { createApp, HttpError, stateMiddleware } from '../../src/index.js'

interface User {
  name: string
}

// The middleware says what it adds to ctx.state...
const requireUser = stateMiddleware<{ user: User }>(async (ctx, next) => {
  const name = ctx.headers['x-user']
  if (!name) throw new HttpError(401, 'who are you?')
  ctx.state.user = { name }
  await next()
})

export const app = createApp({ logger: false })

// ...and the routes of its group see it typed: ctx.state.user is a User here.
const authed = app.group(requireUser)
authed.get('/me', (ctx) => ({ hello: ctx.state.user.name }))
