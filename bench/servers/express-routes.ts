/**
 * The bench scenarios (see shared.ts) as Express-style routes, shared by Express 5 and ultimate-express,
 * which implement the same API. Each server file creates its app in its fast setup and calls
 * {@link addRoutes}.
 */
import type { NextFunction, Request, Response } from 'express'
import {
  blocking,
  DELAY_MS,
  gather,
  Gauge,
  HELLO,
  ioCall,
  Item,
  MIDDLEWARE_COUNT,
  PARAM_ROUTES,
} from './shared.js'

type Handler = (req: Request, res: Response, next: NextFunction) => unknown
/** The subset of an Express application the routes use. */
export interface ExpressLike {
  get(path: string, ...handlers: Handler[]): unknown
  post(path: string, ...handlers: Handler[]): unknown
}
/** Body parser middleware factory (`express.json`). */
export type JsonParser = () => Handler

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** Registers every scenario route, and `/stats` with the given core name. */
export function addRoutes(app: ExpressLike, json: JsonParser, core: string): void {
  const gauge = new Gauge()
  const later = (res: Response, work: () => Promise<unknown>) =>
    gauge.track(work).then((body) => res.json(body))
  app.get('/health', (_req, res) => res.json({ status: 'ok' }))
  app.get('/hello', (_req, res) => res.json(HELLO))
  app.get('/io', (req, res) =>
    later(res, () => ioCall().then(() => ({ kind: str(req.query.kind) ?? 'timer', awaitedMs: DELAY_MS }))),
  )
  for (const path of PARAM_ROUTES) app.get(path, (req, res) => res.json(req.params))
  app.post('/json', json(), (req, res) => {
    const result = Item.safeParse(req.body)
    if (!result.success) return res.status(422).json({ issues: result.error.issues })
    return res.json(result.data)
  })
  const layer: Handler = (_req, res, next) => {
    res.locals.layers = ((res.locals.layers as number | undefined) ?? 0) + 1
    next()
  }
  const chain = Array.from({ length: MIDDLEWARE_COUNT }, () => layer)
  app.get('/mw', ...chain, (_req, res) => res.json({ layers: res.locals.layers }))
  app.get('/gather', (req, res) => later(res, () => gather(str(req.query.mode))))
  app.get('/blocking', (req, res) => later(res, () => blocking(str(req.query.mode))))
  app.get('/stats', (_req, res) => res.json(gauge.snapshot(core)))
  app.post('/stats/reset', (_req, res) => {
    gauge.reset()
    res.status(204).end()
  })
}
