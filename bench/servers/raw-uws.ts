/**
 * The ceiling: raw uWebSockets.js serving the load test's contract with no framework, written the way a
 * careful uWS user would (onAborted first, copy the request, cork after the await). Run it with
 * `npm run loadtest -- --server bench/servers/raw-uws.ts` and compare with the default run.
 */
import { createRequire } from 'node:module'
import type * as UwsModule from 'uWebSockets.js'

const uws = createRequire(import.meta.url)('uWebSockets.js') as typeof UwsModule
const delayMs = Number(process.env.IO_DELAY_MS ?? 50)
const stats = { inFlight: 0, peakInFlight: 0, requests: 0 }
const JSON_TYPE = 'application/json; charset=utf-8'

function json(res: UwsModule.HttpResponse, body: unknown): void {
  res.writeStatus('200 OK').writeHeader('content-type', JSON_TYPE).end(JSON.stringify(body))
}

const app = uws.App()
app.get('/io', (res, req) => {
  let aborted = false
  res.onAborted(() => {
    aborted = true
    stats.inFlight--
  })
  const kind = new URLSearchParams(req.getQuery() ?? '').get('kind') ?? 'timer'
  if (++stats.inFlight > stats.peakInFlight) stats.peakInFlight = stats.inFlight
  setTimeout(() => {
    if (aborted) return
    stats.inFlight--
    stats.requests++
    res.cork(() => json(res, { kind, awaitedMs: delayMs }))
  }, delayMs)
})
app.get('/stats', (res) => json(res, { ...stats, ioDelayMs: delayMs, core: 'raw uWebSockets.js' }))
app.post('/stats/reset', (res) => {
  stats.peakInFlight = stats.inFlight
  res.writeStatus('204 No Content').endWithoutBody()
})
app.get('/health', (res) => json(res, { status: 'ok' }))
app.listen('127.0.0.1', Number(process.env.PORT ?? 3001), (socket) => {
  if (!socket) throw new Error('raw-uws: could not listen')
  const port = uws.us_socket_local_port(socket)
  if (process.send) process.send({ type: 'listening', port, core: 'raw uWebSockets.js' })
  else console.log(`raw uWebSockets.js on http://127.0.0.1:${port}`)
})
process.on('disconnect', () => process.exit(0))
process.on('SIGTERM', () => process.exit(0))
