/**
 * Swiftlet serving the bench scenarios (see shared.ts), built on the sources (`../../src/index.js`) so a
 * run measures the working tree. Logger off, as in every peer's fast setup.
 */
import { createApp, type MiddlewareHandler } from '../../src/index.js'
import {
  announce,
  blocking,
  DELAY_MS,
  gather,
  HELLO,
  HOST,
  ioCall,
  Item,
  MIDDLEWARE_COUNT,
  PARAM_ROUTES,
  PORT,
} from './shared.js'

const app = createApp({ logger: false })

app.get('/health', () => ({ status: 'ok' }))
app.get('/hello', () => HELLO)
app.get('/io', async (ctx) => {
  await ioCall()
  return { kind: ctx.query.get('kind') ?? 'timer', awaitedMs: DELAY_MS }
})
for (const path of PARAM_ROUTES) app.get(path, (ctx) => ctx.params)
app.post('/json', async (ctx) => {
  const result = Item.safeParse(await ctx.req.json())
  if (!result.success) return ctx.json({ issues: result.error.issues }, 422)
  return result.data
})

/** One layer of the `middleware` chain: counts itself in the state, then awaits the rest. */
const layer: MiddlewareHandler = async (ctx, next) => {
  ctx.state.layers = ((ctx.state.layers as number | undefined) ?? 0) + 1
  await next()
}
// Spelled out (MIDDLEWARE_COUNT of them) so the route keeps its typed handler signature.
app.get('/mw', layer, layer, layer, layer, layer, layer, layer, layer, layer, layer, (ctx) => ({
  layers: ctx.state.layers,
}))
if (MIDDLEWARE_COUNT !== 10) throw new Error('bench/servers/swiftlet.ts spells out 10 middleware')
app.get('/gather', (ctx) => gather(ctx.query.get('mode')))
app.get('/blocking', (ctx) => blocking(ctx.query.get('mode')))

app.get('/stats', () => ({ ...app.stats(), ioDelayMs: DELAY_MS, core: `Swiftlet (${app.address?.core})` }))
app.post('/stats/reset', () => {
  app.resetPeak()
})

const info = await app.listen({ port: PORT, host: HOST, signals: false })
announce(info.port, `Swiftlet (${info.core})`, () => void app.close())
