/**
 * Command-line options of `npm run loadtest`. Parsing is strict: an unknown flag or a bad value is a usage
 * error (exit 2) rather than a silently different benchmark.
 */
import { parseArgs } from 'node:util'

/** The I/O kinds the example API's /io route knows. */
export const IO_KINDS = ['timer', 'upstream', 'file'] as const
/** One of {@link IO_KINDS}. */
export type IoKind = (typeof IO_KINDS)[number]

/** Default server script, relative to the repository root. */
export const DEFAULT_SERVER = 'examples/api/main.ts'

/** Validated options. */
export interface Options {
  connections: number
  durationS: number
  warmupS: number
  io: IoKind
  ioDelayMs: number
  url: string | undefined
  json: string | undefined
  server: string
  serverPid: number | undefined
}

/** Thrown for bad usage; the caller prints the message and exits 2. */
export class UsageError extends Error {}

/** Text printed by `--help`. */
export const HELP = `Usage: npm run loadtest -- [options]

Closed-loop load test of the example API (or another loopback server) with autocannon.
Starts examples/api/main.ts, warms up, measures a timed window, prints a summary.

Options:
  --connections N    concurrent connections, one request in flight each (default 1000)
  --duration S       length of the timed window in seconds (default 10)
  --warmup S         warm-up before the timed window, not counted; 0 skips it (default 2)
  --io KIND          I/O the /io route awaits: timer | upstream | file (default timer)
  --io-delay MS      server-side I/O delay, passed as IO_DELAY_MS; also the basis of the
                     Little's-law bound (default 50)
  --url URL          load an already-running server instead of starting one; must be loopback
                     (127.0.0.0/8, localhost or [::1]). A bare origin gets /io?kind=KIND.
  --server-pid PID   with --url: PID of that server, so its CPU use can be measured
  --server FILE      server script to start instead of ${DEFAULT_SERVER}
                     (run with node --import tsx; must honour the same IPC contract)
  --json FILE        also write the results as JSON to FILE
  -h, --help         show this help

Exit codes: 0 run completed (even with request errors), 1 server or generator failed,
2 bad usage or refused URL, 130 interrupted.
`

/** Parses a decimal number and checks its range; `integer` rejects fractions. */
function numberOption(name: string, raw: string, min: number, max: number, integer: boolean): number {
  const value = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : Number.NaN
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    const kind = integer ? 'an integer' : 'a number'
    throw new UsageError(`--${name} must be ${kind} from ${min} to ${max} (got ${JSON.stringify(raw)})`)
  }
  return value
}

function ioKindOption(raw: string): IoKind {
  const kind = IO_KINDS.find((k) => k === raw)
  if (kind === undefined) throw new UsageError(`--io must be one of ${IO_KINDS.join(', ')} (got ${raw})`)
  return kind
}

/** The raw flag values; parseArgs errors become usage errors. */
function rawValues(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        connections: { type: 'string', default: '1000' },
        duration: { type: 'string', default: '10' },
        warmup: { type: 'string', default: '2' },
        io: { type: 'string', default: 'timer' },
        'io-delay': { type: 'string', default: '50' },
        url: { type: 'string' },
        'server-pid': { type: 'string' },
        server: { type: 'string' },
        json: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
}

/**
 * Parses argv (without node and script). Returns `'help'` when help was asked for.
 * Upper bounds keep a run bounded in time and size even with a typo.
 */
export function parseOptions(argv: string[]): Options | 'help' {
  const values = rawValues(argv)
  if (values.help) return 'help'
  if (values.url !== undefined && values.server !== undefined) {
    throw new UsageError(
      '--url and --server exclude each other: --url targets a server that is already running',
    )
  }
  if (values['server-pid'] !== undefined && values.url === undefined) {
    throw new UsageError(
      '--server-pid only makes sense with --url (the harness knows the PID of its own server)',
    )
  }
  const serverPid = values['server-pid']
  return {
    connections: numberOption('connections', values.connections, 1, 100_000, true),
    durationS: numberOption('duration', values.duration, 1, 3600, false),
    warmupS: numberOption('warmup', values.warmup, 0, 600, false),
    io: ioKindOption(values.io),
    ioDelayMs: numberOption('io-delay', values['io-delay'], 1, 60_000, true),
    url: values.url,
    json: values.json,
    server: values.server ?? DEFAULT_SERVER,
    serverPid: serverPid === undefined ? undefined : numberOption('server-pid', serverPid, 1, 2 ** 22, true),
  }
}
