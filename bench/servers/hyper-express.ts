/**
 * hyper-express 6.18 (on our uWebSockets.js build via the npm `overrides` entry) serving the bench scenarios
 * (see shared.ts) in its default fast setup: no logger, the `middleware` chain as ten route-level
 * middlewares (`{ middlewares: [...] }`), bodies read with `request.json()`.
 */
import HyperExpress, { type MiddlewareHandler, type Request, type Response } from 'hyper-express'
import { createRequire } from 'node:module'
import type * as UwsModule from 'uWebSockets.js'
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

const uws = createRequire(import.meta.url)('uWebSockets.js') as typeof UwsModule
const CORE = 'hyper-express'
const gauge = new Gauge()
const server = new HyperExpress.Server()
type Handler = (req: Request, res: Response) => unknown
const get = (path: string, handler: Handler) => server.get(path, handler as never)
const later = (res: Response, work: () => Promise<unknown>) =>
  gauge.track(work).then((body) => res.json(body))

get('/health', (_req, res) => res.json({ status: 'ok' }))
get('/hello', (_req, res) => res.json(HELLO))
get('/io', (req, res) =>
  later(res, () =>
    ioCall().then(() => ({ kind: req.query_parameters.kind ?? 'timer', awaitedMs: DELAY_MS })),
  ),
)
for (const path of PARAM_ROUTES) get(path, (req, res) => res.json(req.path_parameters))
server.post('/json', (async (req: Request, res: Response) => {
  const result = Item.safeParse(await req.json(undefined))
  if (!result.success) return res.status(422).json({ issues: result.error.issues })
  return res.json(result.data)
}) as never)
const layer: MiddlewareHandler = (req, _res, next) => {
  const locals = req.locals as { layers?: number }
  locals.layers = (locals.layers ?? 0) + 1
  next()
}
server.get('/mw', { middlewares: Array.from({ length: MIDDLEWARE_COUNT }, () => layer) }, ((
  req: Request,
  res: Response,
) => res.json({ layers: (req.locals as { layers?: number }).layers })) as never)
get('/gather', (req, res) => later(res, () => gather(req.query_parameters.mode)))
get('/blocking', (req, res) => later(res, () => blocking(req.query_parameters.mode)))
get('/stats', (_req, res) => res.json(gauge.snapshot(CORE)))
server.post('/stats/reset', ((_req: Request, res: Response) => {
  gauge.reset()
  res.status(204).send()
}) as never)

const socket = await server.listen(PORT, HOST)
announce(uws.us_socket_local_port(socket), CORE, () => server.close())
