/**
 * Plain node:http serving the bench scenarios (see shared.ts): no framework, a Map for the static routes and
 * a per-resource lookup for the `params` routes, which is about what a hand-written server would do.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
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
  PARAM_RESOURCES,
  PORT,
} from './shared.js'

const CORE = 'node:http'
const gauge = new Gauge()

function json(res: ServerResponse, body: unknown, status = 200): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  })
  res.end(text)
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}

async function postJson(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let parsed: unknown
  try {
    parsed = await readJson(req)
  } catch {
    return json(res, { error: 'invalid JSON' }, 400)
  }
  const result = Item.safeParse(parsed)
  if (result.success) json(res, result.data)
  else json(res, { issues: result.error.issues }, 422)
}

type Handler = (req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => unknown
const later = (res: ServerResponse, work: () => Promise<unknown>) =>
  gauge.track(work).then((body) => json(res, body))

const routes = new Map<string, Handler>([
  ['GET /health', (_q, res) => json(res, { status: 'ok' })],
  ['GET /hello', (_q, res) => json(res, HELLO)],
  [
    'GET /io',
    (_q, res, q) =>
      later(res, () => ioCall().then(() => ({ kind: q.get('kind') ?? 'timer', awaitedMs: DELAY_MS }))),
  ],
  ['POST /json', postJson],
  [
    'GET /mw',
    (_q, res) => {
      const state = { layers: 0 }
      for (let i = 0; i < MIDDLEWARE_COUNT; i++) state.layers++
      json(res, state)
    },
  ],
  ['GET /gather', (_q, res, q) => later(res, () => gather(q.get('mode')))],
  ['GET /blocking', (_q, res, q) => later(res, () => blocking(q.get('mode')))],
  ['GET /stats', (_q, res) => json(res, gauge.snapshot(CORE))],
  ['POST /stats/reset', (_q, res) => (gauge.reset(), res.writeHead(204).end())],
])

/** `/r{i}/:id` and `/r{i}/:id/items/:item` for i below PARAM_RESOURCES. */
function matchParams(path: string): Record<string, string> | undefined {
  const parts = path.split('/')
  const resource = parts[1]
  if (resource === undefined || !/^r\d+$/.test(resource) || Number(resource.slice(1)) >= PARAM_RESOURCES) {
    return undefined
  }
  if (parts.length === 3 && parts[2]) return { id: parts[2] }
  if (parts.length === 5 && parts[2] && parts[3] === 'items' && parts[4])
    return { id: parts[2], item: parts[4] }
  return undefined
}

const server = createServer((req, res) => {
  const url = req.url ?? '/'
  const q = url.indexOf('?')
  const path = q === -1 ? url : url.slice(0, q)
  const handler = routes.get(`${req.method} ${path}`)
  if (handler) return void handler(req, res, new URLSearchParams(q === -1 ? '' : url.slice(q + 1)))
  const params = req.method === 'GET' ? matchParams(path) : undefined
  if (params) return json(res, params)
  json(res, { error: 'not found' }, 404)
})
// Keep-alive connections idle between requests in a closed loop; Node's 5 s default is fine, no timeouts.
server.listen(PORT, HOST, () => {
  announce((server.address() as AddressInfo).port, CORE, () => server.close())
})
