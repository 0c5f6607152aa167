/**
 * Logging: the built-in request logger (pino) with its knobs: auth headers and cookies redacted, a
 * slow-request warning threshold, and sampling of the ordinary lines.
 *
 * Try: watch the terminal. The `authorization` and `cookie` headers are logged as `[redacted]`;
 * `/slow` logs at warn level because it takes longer than `slowMs`.
 */
import { createApp } from '../../src/index.js'
import { requestLogger } from '../../src/middleware/logger/index.js'
import { isMain, serve } from './serve.js'

// requestLogger replaces the app's one "request completed" line with its configurable one.
export const app = createApp({ logger: { level: 'info' } })

app.use(requestLogger({ headers: true, slowMs: 200, sampleRate: 1 }))

app.get('/hello', () => ({ hello: 'world' }))
app.get('/slow', async () => {
  await new Promise((resolve) => setTimeout(resolve, 300))
  return { slow: true }
})

export const tryIt = [
  'curl -s $URL/hello -H "authorization: Bearer secret-token" -H "cookie: sid=abc"',
  'curl -s $URL/slow',
]

if (isMain(import.meta.url)) await serve(app, tryIt)
