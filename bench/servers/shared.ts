/**
 * What every bench server shares: the scenario routes' data (paths, the zod schema, the param routes), the
 * delays, the in-flight gauge behind `/stats`, and the IPC announcement. Each server in this folder
 * implements the same routes in its own framework; see docs/load-testing.md ("Scenarios").
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { z } from 'zod'

/** I/O delay of `/io`, `/gather` and `/blocking`, in ms (the harness passes `IO_DELAY_MS`). @default 50 */
export const DELAY_MS = Number(process.env.IO_DELAY_MS ?? 50)
/** Port to listen on; the harness passes 0. */
export const PORT = Number(process.env.PORT ?? 3001)
/** Address to bind; loopback unless told otherwise. */
export const HOST = process.env.HOST ?? '127.0.0.1'

/** `/hello`: the framework-overhead route answers this JSON. */
export const HELLO = { message: 'hello' } as const

/** `params`: this many resources, each with two routes (`/r{i}/:id` and `/r{i}/:id/items/:item`). */
export const PARAM_RESOURCES = 150
/** Every `params` route pattern in Express syntax (`:name`), which all frameworks here accept. */
export const PARAM_ROUTES: readonly string[] = Array.from({ length: PARAM_RESOURCES }, (_, i) => [
  `/r${i}/:id`,
  `/r${i}/:id/items/:item`,
]).flat()

/** `middleware`: length of the chain in front of the handler. */
export const MIDDLEWARE_COUNT = 10

/** `gather`: I/O calls per request, each awaiting {@link DELAY_MS}. */
export const GATHER_CALLS = 3

/** `json-post`: the body schema, validated the same way by every server. */
export const Item = z.object({
  name: z.string().min(1).max(100),
  price: z.number().nonnegative(),
  tags: z.array(z.string().max(32)).max(10),
})

/** One simulated I/O call: a timer of {@link DELAY_MS}. */
export function ioCall(): Promise<number> {
  return sleep(DELAY_MS, DELAY_MS)
}

/**
 * `gather`: awaits {@link GATHER_CALLS} I/O calls concurrently (`all`, ~1 delay) or one after another
 * (`seq`, ~3 delays). Returns the number of calls made.
 */
export async function gather(mode: string | null | undefined): Promise<{ mode: string; calls: number }> {
  if (mode === 'seq') {
    for (let i = 0; i < GATHER_CALLS; i++) await ioCall()
  } else {
    await Promise.all(Array.from({ length: GATHER_CALLS }, ioCall))
  }
  return { mode: mode === 'seq' ? 'seq' : 'all', calls: GATHER_CALLS }
}

/** Spins the CPU for `ms`: the synchronous work that blocks the event loop in `/blocking?mode=sync`. */
export function busyWait(ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end) {
    // Deliberately blocking: this is the anti-pattern the scenario measures.
  }
}

/** `/blocking`: {@link DELAY_MS} of synchronous work (`sync`) or the same delay awaited (`async`). */
export async function blocking(mode: string | null | undefined): Promise<{ mode: string; ms: number }> {
  if (mode === 'sync') busyWait(DELAY_MS)
  else await ioCall()
  return { mode: mode === 'sync' ? 'sync' : 'async', ms: DELAY_MS }
}

/** The in-flight gauge behind `/stats` for servers without one of their own. */
export class Gauge {
  inFlight = 0
  peakInFlight = 0
  requests = 0

  /** A request started. */
  enter(): void {
    if (++this.inFlight > this.peakInFlight) this.peakInFlight = this.inFlight
  }

  /** A request finished (answered or aborted). */
  leave(): void {
    this.inFlight--
    this.requests++
  }

  /** Runs `fn` inside the gauge. */
  async track<T>(fn: () => Promise<T>): Promise<T> {
    this.enter()
    try {
      return await fn()
    } finally {
      this.leave()
    }
  }

  /** `POST /stats/reset`: the peak restarts from the current value. */
  reset(): void {
    this.peakInFlight = this.inFlight
  }

  /** `GET /stats`. */
  snapshot(core: string): Record<string, number | string> {
    const { inFlight, peakInFlight, requests } = this
    return { inFlight, peakInFlight, requests, ioDelayMs: DELAY_MS, core }
  }
}

/** Tells the harness (IPC) or a person (stdout) where the server listens; leaves with the harness. */
export function announce(port: number, core: string, stop: () => void): void {
  if (process.send) process.send({ type: 'listening', port, core })
  else console.log(`${core} on http://${HOST}:${port}`)
  const exit = () => {
    stop()
    process.exit(0)
  }
  process.on('disconnect', exit)
  process.on('SIGTERM', exit)
  process.on('SIGINT', exit)
}
