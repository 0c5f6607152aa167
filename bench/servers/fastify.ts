/**
 * Fastify 5 serving the bench scenarios (see shared.ts) in its documented fast setup: logger off, JSON body
 * parsing by Fastify itself, the `middleware` chain as ten route-level `onRequest` hooks.
 */
import Fastify, { type FastifyRequest } from 'fastify'
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

const CORE = 'Fastify'
const gauge = new Gauge()
const app = Fastify({ logger: false })
type Query = { Querystring: Record<string, string | undefined> }
const state = new WeakMap<FastifyRequest, number>()

app.get('/health', async () => ({ status: 'ok' }))
app.get('/hello', async () => HELLO)
app.get<Query>('/io', (req) =>
  gauge.track(() => ioCall().then(() => ({ kind: req.query.kind ?? 'timer', awaitedMs: DELAY_MS }))),
)
for (const path of PARAM_ROUTES) app.get(path, async (req) => req.params)
app.post('/json', async (req, reply) => {
  const result = Item.safeParse(req.body)
  if (!result.success) return reply.code(422).send({ issues: result.error.issues })
  return result.data
})
const layer = async (req: FastifyRequest) => {
  state.set(req, (state.get(req) ?? 0) + 1)
}
app.get('/mw', { onRequest: Array.from({ length: MIDDLEWARE_COUNT }, () => layer) }, async (req) => ({
  layers: state.get(req),
}))
app.get<Query>('/gather', (req) => gauge.track(() => gather(req.query.mode)))
app.get<Query>('/blocking', (req) => gauge.track(() => blocking(req.query.mode)))
app.get('/stats', async () => gauge.snapshot(CORE))
app.post('/stats/reset', async (_req, reply) => {
  gauge.reset()
  return reply.code(204).send()
})

await app.listen({ port: PORT, host: HOST })
announce((app.server.address() as AddressInfo).port, CORE, () => void app.close())
