/**
 * Hono 4 on @hono/node-server serving the bench scenarios (see shared.ts): no logger middleware, the
 * default (smart) router, the `middleware` chain as ten route-level middleware.
 */
import { serve } from '@hono/node-server'
import { Hono, type MiddlewareHandler } from 'hono'
import type { AddressInfo } from 'node:net'
import {
  announce,
  blocking,
  DELAY_MS,
  gather,
  Gauge,
  HELLO,
  HOST,
  ioCall,
  Item,
  MIDDLEWARE_COUNT,
  PARAM_ROUTES,
  PORT,
} from './shared.js'

const CORE = 'Hono (@hono/node-server)'
const gauge = new Gauge()
const app = new Hono<{ Variables: { layers: number } }>()

app.get('/health', (c) => c.json({ status: 'ok' }))
app.get('/hello', (c) => c.json(HELLO))
app.get('/io', async (c) => {
  await gauge.track(ioCall)
  return c.json({ kind: c.req.query('kind') ?? 'timer', awaitedMs: DELAY_MS })
})
for (const path of PARAM_ROUTES) app.get(path, (c) => c.json(c.req.param()))
app.post('/json', async (c) => {
  const result = Item.safeParse(await c.req.json())
  if (!result.success) return c.json({ issues: result.error.issues }, 422)
  return c.json(result.data)
})
const layer: MiddlewareHandler<{ Variables: { layers: number } }> = async (c, next) => {
  c.set('layers', (c.get('layers') ?? 0) + 1)
  await next()
}
const chain = Array.from({ length: MIDDLEWARE_COUNT }, () => layer)
app.get('/mw', ...(chain as [typeof layer]), (c) => c.json({ layers: c.get('layers') }))
app.get('/gather', async (c) => c.json(await gauge.track(() => gather(c.req.query('mode')))))
app.get('/blocking', async (c) => c.json(await gauge.track(() => blocking(c.req.query('mode')))))
app.get('/stats', (c) => c.json(gauge.snapshot(CORE)))
app.post('/stats/reset', (c) => {
  gauge.reset()
  return c.body(null, 204)
})

const server = serve({ fetch: app.fetch, port: PORT, hostname: HOST }, (info: AddressInfo) => {
  announce(info.port, CORE, () => server.close())
})
