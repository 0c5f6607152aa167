/**
 * Rate limiting: a token bucket per client (here per API key, falling back to the IP), 429 with
 * `Retry-After` and the `RateLimit-*` headers once the bucket is empty.
 *
 * Try: the loop sends 7 requests against a bucket of 5: the last two get 429. A second key has its own
 * bucket. Wait 10 s and the bucket has refilled.
 */
import { createApp } from '../../src/index.js'
import { rateLimit } from '../../src/middleware/rate-limit/index.js'
import { isMain, serve } from './serve.js'

export const app = createApp({ logger: false })

app.use(
  rateLimit({
    limit: 5,
    windowMs: 10_000,
    // Behind a proxy, key on the address it forwards (and that clients cannot forge), not on ctx.req.ip.
    key: (ctx) => ctx.headers['x-api-key'] ?? ctx.req.ip,
  }),
)
app.get('/search', (ctx) => ({ q: ctx.query.get('q') ?? '', results: [] }))

export const tryIt = [
  'for i in 1 2 3 4 5 6 7; do curl -s -o /dev/null -w "%{http_code} " $URL/search; done; echo',
  'curl -si $URL/search',
  'curl -si $URL/search -H "x-api-key: other-client"',
]

if (isMain(import.meta.url)) await serve(app, tryIt)
