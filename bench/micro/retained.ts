/**
 * Memory held per request awaiting I/O: N requests (default 20,000) enter the pipeline in memory and await a
 * 3 s timer; the heap is measured after a full GC before and while they wait. With thousands of requests in
 * flight, what each one holds is what every young-generation GC copies. `BARE=1` runs the same harness
 * without Swiftlet (the timer, the promise and the sink alone) for the baseline.
 *
 *   node --expose-gc --import tsx bench/micro/retained.ts
 *   BARE=1 node --expose-gc --import tsx bench/micro/retained.ts
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { createApp } from '../../src/index.js'
import { emptyHeaders, type RequestInit } from '../../src/request.js'
import type { ResponseSink } from '../../src/response.js'

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with node --expose-gc')
const N = Number(process.env.N ?? 20_000)
const bare = process.env.BARE === '1'

const app = createApp({ logger: false })
app.get('/io', async (ctx) => {
  await sleep(3000)
  return { kind: ctx.query.get('kind') ?? 'timer', awaitedMs: 3000 }
})
// Warm up: routes frozen and every module loaded before the first measurement.
await app.inject('/io?kind=warm')

function request(): Promise<void> {
  return new Promise((resolve) => {
    const sink: ResponseSink = { aborted: false, onAbort() {}, send: () => resolve() }
    const headers = Object.assign(emptyHeaders(), { host: '127.0.0.1:3000' })
    const init: RequestInit = {
      method: 'GET',
      path: '/io',
      querystring: 'kind=timer',
      headers,
      ip: '',
      body: null,
    }
    if (bare)
      void sleep(3000).then(() =>
        sink.send({
          status: 200,
          headers: new Map(),
          contentType: undefined,
          body: null,
          head: false,
          close: false,
        }),
      )
    else void app.handle(init, sink)
  })
}

gc()
const before = process.memoryUsage().heapUsed
const pending = Array.from({ length: N }, request)
gc()
const during = process.memoryUsage().heapUsed
console.log(
  `${bare ? 'bare harness' : 'Swiftlet'}: ${((during - before) / N).toFixed(0)} bytes held per request in flight (N=${N})`,
)
await Promise.all(pending)
