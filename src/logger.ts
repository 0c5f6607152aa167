/** The pino factory: one app logger, pretty in a development terminal, JSON otherwise. */
import { pino, type Logger, type LoggerOptions } from 'pino'
import { workerId } from './server/cluster-role.js'

export type { Logger } from 'pino'

/**
 * `true` (info level, or `LOG_LEVEL`), `false` (silent), pino options, or a ready pino logger.
 * @default true
 */
export type LoggerSetting = boolean | LoggerOptions | Logger

/**
 * Builds the app logger. With `true` or options, pino-pretty is used when stdout is a terminal and
 * `NODE_ENV` is not `production`; otherwise one JSON line per event goes to stdout.
 */
export function createLogger(setting: LoggerSetting = true): Logger {
  if (setting === false) return pino({ level: 'silent' })
  if (isLogger(setting)) return tagWorker(setting)
  const options: LoggerOptions = setting === true ? {} : setting
  const pretty = process.stdout.isTTY === true && process.env.NODE_ENV !== 'production'
  const logger = pino({
    level: process.env.LOG_LEVEL ?? 'info',
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l' } } } : {}),
    ...options,
  })
  return tagWorker(logger)
}

/** In a worker of `listen({ workers })`, every line carries `worker: 1..n` (pino's `pid` is there already). */
function tagWorker(logger: Logger): Logger {
  const id = workerId()
  return id === undefined ? logger : logger.child({ worker: id })
}

function isLogger(value: unknown): value is Logger {
  return typeof value === 'object' && value !== null && typeof (value as Logger).child === 'function'
}
