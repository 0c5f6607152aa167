/**
 * Express 5 serving the bench scenarios (see express-routes.ts) in its documented fast setup:
 * NODE_ENV=production, no logger, `x-powered-by` and ETags off.
 */
import express from 'express'
import type { AddressInfo } from 'node:net'
import { addRoutes, type ExpressLike } from './express-routes.js'
import { announce, HOST, PORT } from './shared.js'

process.env.NODE_ENV = 'production'
const CORE = 'Express 5'
const app = express()
app.disable('x-powered-by')
app.set('etag', false)
addRoutes(app as unknown as ExpressLike, express.json, CORE)
const server = app.listen(PORT, HOST, () => {
  announce((server.address() as AddressInfo).port, CORE, () => server.close())
})
