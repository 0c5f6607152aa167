/**
 * Swiftlet serving the bench scenarios (see shared.ts), built on the sources (`../../src/index.js`) so a
 * run measures the working tree. Logger off, as in every peer's fast setup.
 */
import { createApp, sse, type EventStream, type MiddlewareHandler } from '../../src/index.js'
import { parseIntervalMs, REALTIME_TOPIC, RealtimeHub } from '../lib/ws-bench-hub.js'
import { isPrimary } from '../../src/index.js'
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

/** `WORKERS=N` (loadtest --workers N): N worker processes on one port; /stats then sums them all. */
const WORKERS = process.env.WORKERS === undefined ? undefined : Number(process.env.WORKERS)
// Loaded only with workers (it brings node:cluster), as an app without workers never loads that either.
const clusterStats = WORKERS === undefined ? undefined : await import('./cluster-stats.js')
const coreName = (core: string | undefined): string =>
  `Swiftlet (${core}${WORKERS === undefined ? '' : `, ${WORKERS} workers`})`
app.get('/stats', async () => ({
  ...(clusterStats === undefined ? app.stats() : await clusterStats.askClusterStats('read')),
  ioDelayMs: DELAY_MS,
  core: coreName(app.address?.core),
}))
app.post('/stats/reset', async () => {
  if (clusterStats === undefined) app.resetPeak()
  else await clusterStats.askClusterStats('reset')
})
if (clusterStats !== undefined && !isPrimary()) clusterStats.answerClusterStats(app)

// Real-time scenarios (ws-idle, ws-broadcast, sse): see bench/lib/ws-bench-hub.ts.
const streams = new Set<EventStream>()
const realtime = new RealtimeHub((text) => {
  app.publish(REALTIME_TOPIC, text)
  for (const stream of streams) stream.send(text)
})
app.ws('/ws', {
  upgrade: (req) => ({ subscribe: req.query.get('subscribe') === '1' }),
  open: (ws) => {
    realtime.webSockets++
    if (ws.data.subscribe) ws.subscribe(REALTIME_TOPIC)
  },
  close: () => {
    realtime.webSockets--
  },
})
app.get('/sse', (ctx) => {
  const stream = sse(ctx, { heartbeatMs: 0 })
  // Headers go out with the first chunk: the comment tells the subscriber at once that it is connected.
  stream.comment('subscribed')
  streams.add(stream)
  realtime.sseStreams++
  stream.onClose(() => {
    streams.delete(stream)
    realtime.sseStreams--
  })
})
app.get('/realtime', () => realtime.snapshot())
app.post('/realtime/start', (ctx) => {
  const intervalMs = parseIntervalMs(ctx.query.get('intervalMs'))
  if (intervalMs === undefined) return ctx.json({ error: 'intervalMs: an integer from 1 to 60000' }, 400)
  if (!realtime.start(intervalMs)) return ctx.json({ error: 'already publishing' }, 409)
  return ctx.status(204)
})
app.post('/realtime/stop', () => realtime.stop())

const info = await app.listen({ port: PORT, host: HOST, signals: false, workers: WORKERS })
// With workers, only the primary talks to the harness; each worker drains and exits when it goes away.
if (isPrimary()) {
  clusterStats?.serveClusterStats()
  announce(info.port, coreName(info.core), () => void app.close())
}
