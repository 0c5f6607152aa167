/**
 * The ceiling: raw uWebSockets.js serving the bench scenarios (see shared.ts) with no framework, written the
 * way a careful uWS user would (onAborted first, copy the request, cork after the await). Run it with
 * `npm run loadtest -- --server bench/servers/raw-uws.ts` and compare with the default run.
 */
import { createRequire } from 'node:module'
import type * as UwsModule from 'uWebSockets.js'
import {
  announce,
  blocking,
  DELAY_MS,
  gather,
  Gauge,
  HELLO,
  HOST,
  ioCall,
  Item,
  MIDDLEWARE_COUNT,
  PARAM_ROUTES,
  PORT,
} from './shared.js'
import { parseIntervalMs, REALTIME_TOPIC, RealtimeHub } from '../lib/ws-bench-hub.js'

const uws = createRequire(import.meta.url)('uWebSockets.js') as typeof UwsModule
type Res = UwsModule.HttpResponse
const CORE = 'raw uWebSockets.js'
const gauge = new Gauge()
const JSON_TYPE = 'application/json; charset=utf-8'

function json(res: Res, body: unknown, status = '200 OK'): void {
  res.writeStatus(status).writeHeader('content-type', JSON_TYPE).end(JSON.stringify(body))
}

/** Answers after `work` settles, unless the client went away; the gauge counts it in flight meanwhile. */
function later(res: Res, work: Promise<unknown>): void {
  let aborted = false
  res.onAborted(() => {
    aborted = true
  })
  void gauge
    .track(() => work)
    .then(
      (body) => aborted || res.cork(() => json(res, body)),
      () => aborted || res.cork(() => json(res, { error: 'internal' }, '500 Internal Server Error')),
    )
}

/** Collects the request body, then parses and validates it. */
function readJson(res: Res): void {
  const chunks: Buffer[] = []
  let aborted = false
  res.onAborted(() => {
    aborted = true
  })
  res.onData((chunk, isLast) => {
    // uWS reuses the chunk's memory after this callback returns: copy it.
    chunks.push(Buffer.from(new Uint8Array(chunk)))
    if (!isLast || aborted) return
    let parsed: unknown
    try {
      parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    } catch {
      return json(res, { error: 'invalid JSON' }, '400 Bad Request')
    }
    const result = Item.safeParse(parsed)
    if (result.success) json(res, result.data)
    else json(res, { issues: result.error.issues }, '422 Unprocessable Entity')
  })
}

const query = (req: UwsModule.HttpRequest, name: string) =>
  new URLSearchParams(req.getQuery() ?? '').get(name)
const app = uws.App()
app.get('/health', (res) => json(res, { status: 'ok' }))
app.get('/hello', (res) => json(res, HELLO))
app.get('/io', (res, req) => {
  const kind = query(req, 'kind') ?? 'timer'
  later(
    res,
    ioCall().then(() => ({ kind, awaitedMs: DELAY_MS })),
  )
})
for (const path of PARAM_ROUTES) {
  const names = path
    .split('/')
    .filter((s) => s.startsWith(':'))
    .map((s) => s.slice(1))
  app.get(path, (res, req) => {
    const params: Record<string, string> = {}
    names.forEach((name, i) => (params[name] = req.getParameter(i) ?? ''))
    json(res, params)
  })
}
app.post('/json', readJson)
// No framework, no middleware: the "chain" is ten plain function calls, the least any chain can cost.
app.get('/mw', (res) => {
  const state = { layers: 0 }
  for (let i = 0; i < MIDDLEWARE_COUNT; i++) state.layers++
  json(res, state)
})
app.get('/gather', (res, req) => later(res, gather(query(req, 'mode'))))
app.get('/blocking', (res, req) => later(res, blocking(query(req, 'mode'))))
app.get('/stats', (res) => json(res, gauge.snapshot(CORE)))
app.post('/stats/reset', (res) => {
  gauge.reset()
  res.writeStatus('204 No Content').endWithoutBody()
})
// Real-time scenarios (ws-idle, ws-broadcast, sse): see bench/lib/ws-bench-hub.ts.
const sseClients = new Set<Res>()
const realtime = new RealtimeHub((text) => {
  app.publish(REALTIME_TOPIC, text)
  const frame = `data: ${text}\n\n`
  // Outside a uWS callback: cork each response so its chunk goes out in one write.
  for (const res of sseClients) res.cork(() => res.write(frame))
})
// uWS copies the user data's keys onto the WebSocket object: a key named `subscribe` would hide ws.subscribe().
app.ws<{ joins: boolean }>('/ws', {
  upgrade: (res, req, context) => {
    res.upgrade(
      { joins: query(req, 'subscribe') === '1' },
      req.getHeader('sec-websocket-key'),
      req.getHeader('sec-websocket-protocol'),
      req.getHeader('sec-websocket-extensions'),
      context,
    )
  },
  open: (ws) => {
    realtime.webSockets++
    if (ws.getUserData().joins) ws.subscribe(REALTIME_TOPIC)
  },
  close: () => {
    realtime.webSockets--
  },
})
app.get('/sse', (res) => {
  res.onAborted(() => {
    sseClients.delete(res)
    realtime.sseStreams--
  })
  res.writeStatus('200 OK').writeHeader('content-type', 'text/event-stream; charset=utf-8')
  res.writeHeader('cache-control', 'no-cache').write(': subscribed\n\n')
  sseClients.add(res)
  realtime.sseStreams++
})
app.get('/realtime', (res) => json(res, realtime.snapshot()))
app.post('/realtime/start', (res, req) => {
  const intervalMs = parseIntervalMs(query(req, 'intervalMs'))
  if (intervalMs === undefined) return json(res, { error: 'intervalMs: 1 to 60000' }, '400 Bad Request')
  if (!realtime.start(intervalMs)) return json(res, { error: 'already publishing' }, '409 Conflict')
  res.writeStatus('204 No Content').endWithoutBody()
})
app.post('/realtime/stop', (res) => json(res, realtime.stop()))
app.listen(HOST, PORT, (socket) => {
  if (!socket) throw new Error('raw-uws: could not listen')
  announce(uws.us_socket_local_port(socket), CORE, () => uws.us_listen_socket_close(socket))
})
