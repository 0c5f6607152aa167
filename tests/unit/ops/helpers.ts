/** Shared bits of the operations tests: an app whose pino lines land in an array, and a bounded wait. */
import { pino } from 'pino'
import { createApp, type App } from '../../../src/index.js'

/** One parsed pino line. */
export interface LogLine {
  level: number
  msg: string
  [key: string]: unknown
}

/** An app logging at info into `lines`. */
export function loggedApp(): { app: App; lines: LogLine[] } {
  const lines: LogLine[] = []
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
  )
  return { app: createApp({ logger }), lines }
}

/** Resolves once `condition()` holds, polling every 10 ms. @throws Error after `timeoutMs` (ms). */
export async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** Keeps the CPU (and so the event loop) busy for `ms` milliseconds. */
export function busyWait(ms: number): void {
  const start = performance.now()
  while (performance.now() - start < ms) {
    // block the loop on purpose
  }
}
