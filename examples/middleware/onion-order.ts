/**
 * The onion order: app-level middleware wraps router-level, which wraps route-level, which wraps the
 * handler; each "after" runs in reverse. Every layer appends to a list that the response prints.
 *
 * Try: GET /api/v1/items prints the whole order; GET /elsewhere shows that only the app layer runs for
 * an automatic 404; GET /api/v1/other shows the router layers without the route's own.
 */
import { createApp, Router, type MiddlewareHandler } from '../../src/index.js'
import { isMain, serve } from './serve.js'

interface Trace {
  trace: string[]
}

/** A layer that records "name in" before next() and "name out" after. */
function layer(name: string): MiddlewareHandler<Trace> {
  return async function traced(ctx, next) {
    ctx.state.trace.push(`${name} in`)
    await next()
    ctx.state.trace.push(`${name} out`)
  }
}

export const app = createApp<Trace>({ logger: false })

app.use(async function printTrace(ctx, next) {
  ctx.state.trace = ['app 1 in']
  await next()
  ctx.state.trace.push('app 1 out')
  // Rewrite the body on the way out: the whole onion is visible by now.
  ctx.res.body = JSON.stringify({ status: ctx.res.status, order: ctx.state.trace }, null, 2) + '\n'
  ctx.res.headers.set('content-type', 'application/json; charset=utf-8')
})
app.use(layer('app 2'))

const api = new Router<Trace>({ prefix: '/api' })
api.use(layer('router /api'))
const v1 = new Router<Trace>({ prefix: '/v1' })
v1.use(layer('router /api/v1'))
v1.get('/items', layer('route 1'), layer('route 2'), (ctx) => {
  ctx.state.trace.push('handler')
  return 'handled'
})
v1.get('/other', (ctx) => {
  ctx.state.trace.push('handler')
  return 'handled'
})
api.mount(v1)
app.mount(api)

export const tryIt = ['curl -s $URL/api/v1/items', 'curl -s $URL/api/v1/other', 'curl -s $URL/elsewhere']

if (isMain(import.meta.url)) await serve(app, tryIt)
