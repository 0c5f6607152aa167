/**
 * A production stack of built-ins in the order we recommend: security headers and a deadline outermost,
 * then compression and ETags on the way out, and a body limit on the one route that takes a body.
 *
 * Try: the headers on `/report` (CSP, HSTS, nosniff...), the same JSON gzipped when you ask for it, a 304
 * when you send its ETag back, a 413 for an upload over 1 kB, and a 503 from the deadline on `/slow`.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { createApp } from '../../src/index.js'
import { bodyLimit } from '../../src/middleware/body-limit/index.js'
import { compression } from '../../src/middleware/compression/index.js'
import { etag } from '../../src/middleware/etag/index.js'
import { securityHeaders } from '../../src/middleware/security-headers/index.js'
import { timeout } from '../../src/middleware/timeout/index.js'
import { isMain, serve } from './serve.js'

export const app = createApp({ logger: false })

app.use(securityHeaders()) // outermost: on every answer, errors included (set before next())
app.use(timeout(500)) // a deadline for everything below it: fires ctx.signal, answers 503
app.use(compression({ threshold: 256 })) // on the way out: gzip/br when the client accepts it
app.use(etag()) // inside compression: the tag describes the uncompressed bytes, 304 when it matches

app.get('/report', () => ({ rows: Array.from({ length: 50 }, (_, i) => ({ id: i, name: `row ${i}` })) }))
app.post('/upload', bodyLimit('1kb'), async (ctx) => ({ bytes: (await ctx.req.bytes()).length }))
app.get('/slow', async (ctx) => {
  await sleep(2000, undefined, { signal: ctx.signal }).catch(() => undefined)
  return 'too late'
})

export const tryIt = [
  'curl -s -D - -o /dev/null $URL/report',
  'curl -s -o /dev/null -w "%{http_code} %{size_download} bytes\\n" $URL/report',
  'curl -s -o /dev/null -w "%{http_code} %{size_download} bytes (gzip)\\n" -H "accept-encoding: gzip" $URL/report',
  'curl -s -o /dev/null -w "%{http_code}\\n" -H "if-none-match: $(curl -s -D - -o /dev/null $URL/report | grep -i ^etag | cut -d" " -f2 | tr -d "\\r")" $URL/report',
  'head -c 2000 /dev/zero | curl -s -w " %{http_code}\\n" --data-binary @- $URL/upload',
  'curl -s -w " %{http_code}\\n" $URL/slow',
]

if (isMain(import.meta.url)) await serve(app, tryIt)
