/**
 * Static files: `serveStatic()` serves examples/middleware/public/ with ETag and Last-Modified, answers
 * conditional GETs with 304 and Range requests with 206 (416 past the end), picks MIME types with
 * `mime-types`, serves index.html for directories, and refuses every way out of the root.
 *
 * Try: the index page, a conditional GET with the ETag you got (304), a byte range (206), a range past the
 * end (416), and traversal attempts (`--path-as-is` stops curl from cleaning the path first): none of them
 * reaches package.json.
 */
import { fileURLToPath } from 'node:url'
import { createApp } from '../../src/index.js'
import { serveStatic } from '../../src/middleware/static/index.js'
import { isMain, serve } from './serve.js'

export const app = createApp({ logger: false })
app.use(serveStatic({ root: fileURLToPath(new URL('./public', import.meta.url)), maxAge: 60 }))
app.get('/api/time', () => ({ now: new Date().toISOString() }))

export const tryIt = [
  'curl -si $URL/',
  'ETAG=$(curl -sI $URL/style.css | grep -i "^etag" | cut -d" " -f2 | tr -d "\\r") && curl -si $URL/style.css -H "if-none-match: $ETAG"',
  'curl -si $URL/style.css -H "range: bytes=0-3"',
  'curl -si $URL/style.css -H "range: bytes=9999-"',
  'curl -si --path-as-is $URL/../../package.json',
  'curl -si --path-as-is "$URL/..%2f..%2fpackage.json"',
]

if (isMain(import.meta.url)) await serve(app, tryIt)
