/**
 * Request ids: one id per request, echoed in `x-request-id`, bound into `ctx.log` and quoted in error
 * bodies, so a user's bug report and your logs meet. A valid incoming id (from a proxy) is kept.
 *
 * Try: no id (one is generated), a valid id (kept), an invalid one (replaced), and an error body that
 * quotes the id.
 */
import { createApp, HttpError } from '../../src/index.js'
import { requestId } from '../../src/middleware/request-id/index.js'
import { isMain, serve } from './serve.js'

export const app = createApp({ logger: false })

app.use(requestId())

app.get('/whoami', (ctx) => ({ requestId: ctx.id }))
app.get('/boom', () => {
  throw new HttpError(409, 'conflict, quote the request id when you report it')
})

export const tryIt = [
  'curl -si $URL/whoami',
  'curl -si $URL/whoami -H "x-request-id: edge-42.abc"',
  'curl -si $URL/whoami -H "x-request-id: <script>"',
  'curl -si $URL/boom -H "x-request-id: support-ticket-7"',
]

if (isMain(import.meta.url)) await serve(app, tryIt)
