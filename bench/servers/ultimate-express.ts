/**
 * ultimate-express 2.2 (Express's API on uWebSockets.js, our build via the npm `overrides` entry) serving the
 * bench scenarios (see express-routes.ts): NODE_ENV=production, no logger, `x-powered-by` and ETags off.
 */
import express from 'ultimate-express'
import { addRoutes, type ExpressLike, type JsonParser } from './express-routes.js'
import { announce, HOST, PORT } from './shared.js'

process.env.NODE_ENV = 'production'
const CORE = 'ultimate-express'
const app = express()
app.disable('x-powered-by')
app.set('etag', false)
addRoutes(app as unknown as ExpressLike, express.json as unknown as JsonParser, CORE)
app.listen(PORT, HOST, () => {
  const port = (app as unknown as { port: number }).port
  announce(port, CORE, () => process.exit(0))
})
