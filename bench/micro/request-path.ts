/**
 * JavaScript cost of Swiftlet's uWS request path, without the network: the real core (src/server/uws.ts)
 * runs against a stand-in for uWebSockets.js whose HttpRequest/HttpResponse methods are plain functions, and
 * `ROUNDS` batches of `N` `GET /hello` requests (one `host` header, a small JSON answer) go through it. What
 * it prints is the framework's own work per request (routing, Context, response building, the writes it
 * asks of uWS), not uWS's native parsing and socket writes, so it moves only when Swiftlet's code does;
 * the noisy machine shows in the spread, so compare the minimum of two checkouts run one after the other.
 *
 *   node --import tsx bench/micro/request-path.ts
 *   ASYNC=1 node --import tsx bench/micro/request-path.ts     # the handler awaits one setImmediate
 *
 * The stand-in is installed in the CommonJS module cache under the package's resolved path (and a `.node`
 * entry, which is how the core tells the native addon from the package's JavaScript imitation).
 */
import Module, { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const N = Number(process.env.N ?? 2_000)
const ROUNDS = Number(process.env.ROUNDS ?? 500)
const asyncHandler = process.env.ASYNC === '1'

type UwsHandler = (res: object, req: object) => void
let onRequest: UwsHandler | undefined
const uwsApp = {
  any: (_pattern: string, handler: UwsHandler) => (onRequest = handler),
  ws: () => undefined,
  listen: (_host: string, _port: number, _options: number, done: (socket: object) => void) => done({}),
  publish: () => true,
}
const standIn = { App: () => uwsApp, us_socket_local_port: () => 1, us_listen_socket_close: () => undefined }
for (const filename of [require.resolve('uWebSockets.js'), '/stand-in/uws.node']) {
  const entry = new Module(filename)
  Object.assign(entry, { filename, loaded: true, exports: standIn })
  require.cache[filename] = entry
}

const { createApp } = await import('../../src/index.js')
const app = createApp({ logger: false })
const HELLO = { message: 'hello', framework: 'swiftlet' }
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
if (asyncHandler)
  app.get('/hello', async () => {
    await tick()
    return HELLO
  })
else app.get('/hello', () => HELLO)
await app.listen({ port: 0, signals: false })
if (!onRequest) throw new Error('the core registered no request handler')

let ended = 0
let target = 0
let wake: (() => void) | undefined
const req = {
  getCaseSensitiveMethod: () => 'GET',
  getUrl: () => '/hello',
  getQuery: () => undefined,
  forEach: (visit: (name: string, value: string) => void) => visit('host', '127.0.0.1:3000'),
}
const res = {
  writeStatus: () => res,
  writeHeader: () => res,
  end: () => {
    if (++ended === target) wake?.()
    return res
  },
  endWithoutBody: () => res,
  onAborted: () => res,
  cork: (write: () => void) => (write(), res),
  getRemoteAddressAsText: () => new ArrayBuffer(4),
}

const perRequestNs: number[] = []
for (let pass = 0; pass < 7; pass++) {
  const started = process.hrtime.bigint()
  for (let round = 0; round < ROUNDS; round++) {
    target = ended + N
    const done = new Promise<void>((resolve) => (wake = resolve))
    for (let i = 0; i < N; i++) onRequest(res, req)
    await done
  }
  perRequestNs.push(Number(process.hrtime.bigint() - started) / (N * ROUNDS))
}
perRequestNs.sort((a, b) => a - b)
console.log(
  `${asyncHandler ? 'async' : 'sync'} handler: ${perRequestNs[0]?.toFixed(0)} ns per request (min of 7 passes of ` +
    `${N * ROUNDS}; median ${perRequestNs[3]?.toFixed(0)} ns)`,
)
await app.close()
