/**
 * CORS preflight: a browser asks `OPTIONS` with `Access-Control-Request-Method` before a cross-origin
 * PUT with JSON; the cors middleware answers it (204 with the allowed methods, headers and max-age) and
 * adds `Access-Control-Allow-Origin` + `Vary: Origin` to the real response. An origin not on the list
 * gets no CORS headers at all, so the browser blocks the response.
 *
 * Try: a preflight from the allowed origin, the actual PUT, and a preflight from another origin.
 */
import { createApp } from '../../src/index.js'
import { cors } from '../../src/middleware/cors/index.js'
import { isMain, serve } from './serve.js'

export const app = createApp({ logger: false })

app.use(
  cors({
    origin: ['https://app.example.com', /^http:\/\/localhost:\d+$/],
    credentials: true,
    allowHeaders: ['content-type', 'authorization'],
    exposeHeaders: ['x-request-id'],
    maxAge: 600,
  }),
)
app.put('/items/:id', async (ctx) => ({ id: ctx.params.id, saved: await ctx.req.json() }))

export const tryIt = [
  'curl -si -X OPTIONS $URL/items/1 -H "origin: https://app.example.com" -H "access-control-request-method: PUT" -H "access-control-request-headers: content-type"',
  'curl -si -X PUT $URL/items/1 -H "origin: https://app.example.com" -H "content-type: application/json" -d \'{"name":"pen"}\'',
  'curl -si -X OPTIONS $URL/items/1 -H "origin: https://evil.example" -H "access-control-request-method: PUT"',
]

if (isMain(import.meta.url)) await serve(app, tryIt)
