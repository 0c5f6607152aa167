/**
 * Helpers for starting apps on port 0, capturing their pino output, and waiting with a bound.
 */
import { pino } from 'pino'
import type { App } from '../../../src/index.js'

/** A pino line as parsed from JSON. */
export interface LogLine {
  level: number
  msg: string
  reqId?: string
  err?: unknown
  [key: string]: unknown
}

/** pino levels by name. */
export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const

/** A pino logger writing parsed lines into `lines`, for `createApp({ logger })`. */
export function captureLogs(level: pino.LevelWithSilent = 'info'): { logger: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = []
  const logger = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) })
  return { logger, lines }
}

/** Listens on an ephemeral loopback port without trapping signals. */
export async function listen(app: App): Promise<{ port: number; url: string }> {
  const { port, url } = await app.listen({ port: 0, signals: false })
  return { port, url }
}

/**
 * Resolves once `condition()` holds, polling every 10 ms.
 * @throws Error naming `what` when `timeoutMs` passes first.
 */
export async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** Rejects with a clear message when `promise` does not settle within `timeoutMs`. */
export function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${timeoutMs} ms`)), timeoutMs)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** Records unhandledRejection and uncaughtException events until `stop()`. */
export function watchProcessErrors(): { errors: unknown[]; stop(): void } {
  const errors: unknown[] = []
  const onError = (err: unknown): void => void errors.push(err)
  process.on('unhandledRejection', onError)
  process.on('uncaughtExceptionMonitor', onError)
  return {
    errors,
    stop: () => {
      process.off('unhandledRejection', onError)
      process.off('uncaughtExceptionMonitor', onError)
    },
  }
}

/** A `GET` request line block for raw sockets. */
export function get(path: string, headers: Record<string, string> = {}, method = 'GET'): string {
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}\r\n`
}
