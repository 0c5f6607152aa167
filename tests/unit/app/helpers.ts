/** Shared helpers for the App tests: a quiet app, and an app whose pino log lines land in an array. */
import { pino } from 'pino'
import { createApp, type App, type AppOptions } from '../../../src/index.js'

/** One parsed pino line. */
export interface LogLine {
  level: number
  msg: string
  reqId?: string
  method?: string
  path?: string
  status?: number
  durationMs?: number
  err?: { type?: string; message?: string; code?: string; stack?: string }
  [key: string]: unknown
}

/** pino's numeric levels. */
export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const

/** An app with logging off. */
export function quietApp(options: AppOptions = {}): App {
  return createApp({ logger: false, ...options })
}

/** An app logging at debug level into `lines`. */
export function loggedApp(options: AppOptions = {}): { app: App; lines: LogLine[] } {
  const lines: LogLine[] = []
  const stream = {
    write(line: string) {
      lines.push(JSON.parse(line) as LogLine)
    },
  }
  const app = createApp({ ...options, logger: pino({ level: 'debug' }, stream) })
  return { app, lines }
}

/** Log lines carrying an `err`. */
export function errorLines(lines: readonly LogLine[]): LogLine[] {
  return lines.filter((line) => line.err !== undefined)
}

/** "request completed" lines. */
export function completedLines(lines: readonly LogLine[]): LogLine[] {
  return lines.filter((line) => line.msg === 'request completed')
}

/** A promise with its resolve function, to hold a handler open. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}
