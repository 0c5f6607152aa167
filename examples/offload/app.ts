/**
 * CPU offload, side by side with the inline version, plus the operations helpers around them.
 *
 *   npx tsx examples/offload/app.ts            listens on 127.0.0.1:$PORT (3000)
 *
 *   curl localhost:3000/inline?rounds=20000    ~50 ms of SHA-256 on the event loop: /ping waits behind it
 *   curl localhost:3000/offload?rounds=20000   the same work in a worker thread: /ping answers meanwhile
 *   curl localhost:3000/ping
 *   curl localhost:3000/metrics                Prometheus text; /inline shows up in the loop monitor's warnings
 *   curl localhost:3000/ready                  503 while shutting down
 *
 * The worker module (tasks.mjs) is plain JavaScript: worker threads load it with Node's own loader.
 */
import { pathToFileURL } from 'node:url'
import {
  createApp,
  createOffloadPool,
  health,
  loopMonitor,
  metrics,
  type App,
  type OffloadPool,
} from '../../src/index.js'
import { hash } from './tasks.mjs'

/** Options of {@link buildApp}. */
export interface OffloadExampleOptions {
  /** Worker threads. @default 1 (this machine has 2 cores) */
  threads?: number
  /** Tasks that may wait for a thread before 503. @default 8 */
  maxQueue?: number
  /** Logging, as for createApp. @default true */
  logger?: boolean
}

const MAX_ROUNDS = 1_000_000

/** Reads `?rounds=` (SHA-256 iterations: about 20000 make 50 ms here), bounded. */
function rounds(query: URLSearchParams): number {
  const value = Number(query.get('rounds') ?? 20_000)
  return Number.isInteger(value) && value > 0 ? Math.min(value, MAX_ROUNDS) : 20_000
}

/** The example app and its pool (the pool closes with the app). */
export function buildApp(options: OffloadExampleOptions = {}): { app: App; pool: OffloadPool } {
  const app = createApp({ logger: options.logger ?? true })
  loopMonitor(app, { thresholdMs: 40 })
  metrics(app)
  health(app)

  const pool = createOffloadPool({
    filename: new URL('./tasks.mjs', import.meta.url),
    threads: options.threads ?? 1,
    maxQueue: options.maxQueue ?? 8,
  })
  app.onShutdown(() => pool.close())

  app.get('/inline', (ctx) => ({ digest: hash({ text: 'swiftlet', rounds: rounds(ctx.query) }) }))
  app.get('/offload', async (ctx) => {
    const digest = await pool.run<string>(
      'hash',
      { text: 'swiftlet', rounds: rounds(ctx.query) },
      { signal: ctx.signal },
    )
    return { digest }
  })
  // A test hook as much as a demo: keeps a worker busy for `ms`.
  app.get('/spin/:ms', async (ctx) => {
    const ms = Math.min(Number(ctx.params.ms) || 0, 5000)
    return { spentMs: await pool.run<number>('spin', ms, { signal: ctx.signal }) }
  })
  app.get('/ping', () => ({ pong: true }))
  return { app, pool }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { app } = buildApp()
  const { url } = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3000) })
  console.log(`listening on ${url}`)
}
