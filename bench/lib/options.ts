/**
 * Command-line options of `npm run loadtest`. Parsing is strict: an unknown flag or a bad value is a usage
 * error (exit 2) rather than a silently different benchmark.
 */
import { parseArgs } from 'node:util'
import { findScenario, SCENARIOS, SCENARIO_NAMES } from './scenarios.js'
import type { Scenario } from './scenarios.js'
import {
  DEFAULT_INTERVAL_MS,
  findRealtimeScenario,
  REALTIME_SCENARIOS,
  REALTIME_SCENARIO_NAMES,
} from './ws-scenarios.js'

/** The I/O kinds the example API's /io route knows. */
export const IO_KINDS = ['timer', 'upstream', 'file'] as const
/** One of {@link IO_KINDS}. */
export type IoKind = (typeof IO_KINDS)[number]

/** Default server script, relative to the repository root. */
export const DEFAULT_SERVER = 'examples/api/main.ts'
/** Server script for scenarios other than `io`, which the example API does not serve. */
export const BENCH_SERVER = 'bench/servers/swiftlet.ts'
/** Load generators: autocannon (closed loop, default), wrk (closed loop, faster), open (our open loop). */
export const GENERATORS = ['autocannon', 'wrk', 'open'] as const
/** One of {@link GENERATORS}. */
export type GeneratorName = (typeof GENERATORS)[number]

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
  scenario: string
  /** Request method, headers and body: from the scenario, or from --method/--header/--body with --url. */
  method: string
  headers: Record<string, string>
  body: string | undefined
  /** Lets --url point off this machine; off by default, and never used by our own tests and benches. */
  allowRemote: boolean
  /** Open-loop arrival rate in requests per second (implies the `open` generator). */
  rate: number | undefined
  generator: GeneratorName
  /** bench/servers/swiftlet.ts only: serve from this many worker processes (`listen({ workers })`). */
  workers: number | undefined
  /** Real-time broadcast scenarios (ws-broadcast, sse): the server publishes every this many ms. */
  intervalMs: number
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
                     (bench/servers/*.ts are bundled and run with plain node, others with
                     node --import tsx; it must honour the same IPC contract);
                     scenarios other than io default to ${BENCH_SERVER}
  --scenario NAME    what to request (default io):
${SCENARIOS.map((s) => `                       ${s.name.padEnd(15)}${s.summary}`).join('\n')}
                     real-time (long-lived connections; own generator, no --url/--rate/--generator):
${REALTIME_SCENARIOS.map((s) => `                       ${s.name.padEnd(15)}${s.summary}`).join('\n')}
  --interval MS      ws-broadcast, sse: publish interval of the server (default ${DEFAULT_INTERVAL_MS})
  --generator NAME   autocannon (default) | wrk (Debian package, for peak rates; no warm-up
                     split: connection set-up is inside its window) | open (see --rate)
  --rate R           open loop: R requests per second scheduled by the clock, latency measured
                     from each request's scheduled start (our generator on undici's Pool;
                     --connections is then the pool size)
  --method M         with --url: request method (default GET, or the scenario's)
  --header 'K: V'    with --url: request header (repeatable)
  --body TEXT        with --url: request body
  --allow-remote     let --url leave this machine. For your own servers only: prints a warning;
                     nothing in this repository's tests or benches uses it
  --json FILE        also write the results as JSON to FILE
  --workers N        serve from N worker processes on one port (Swiftlet's listen({ workers }));
                     starts ${BENCH_SERVER}, io included; server CPU sums the primary and
                     its workers. Mind the cores: the generator needs one of them
  -h, --help         show this help

Sweeps (--connections 100,500,... x --io-delay) and peers side by side: npm run bench:compare -- --help

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
        workers: { type: 'string' },
        scenario: { type: 'string', default: 'io' },
        generator: { type: 'string' },
        rate: { type: 'string' },
        method: { type: 'string' },
        header: { type: 'string', multiple: true },
        body: { type: 'string' },
        interval: { type: 'string' },
        'allow-remote': { type: 'boolean', default: false },
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
  if (values.connections.includes(',') || values['io-delay'].includes(',')) {
    throw new UsageError(
      'one run takes one --connections and one --io-delay; for a sweep use ' +
        `npm run bench:compare -- --servers swiftlet --connections ${values.connections} --io-delay ${values['io-delay']}`,
    )
  }
  const scenario = findScenario(values.scenario)
  if (scenario === undefined && findRealtimeScenario(values.scenario) === undefined) {
    const names = [...SCENARIO_NAMES, ...REALTIME_SCENARIO_NAMES].join(', ')
    throw new UsageError(`--scenario must be one of ${names} (got ${values.scenario})`)
  }
  const request = requestOptions(values, scenario ?? { method: 'GET' })
  const load = loadOptions(values)
  return {
    ...request,
    ...load,
    intervalMs: realtimeOptions(values),
    scenario: values.scenario,
    connections: numberOption('connections', values.connections, 1, 100_000, true),
    durationS: numberOption('duration', values.duration, 1, 3600, false),
    warmupS: numberOption('warmup', values.warmup, 0, 600, false),
    io: ioKindOption(values.io),
    ioDelayMs: numberOption('io-delay', values['io-delay'], 1, 60_000, true),
    url: values.url,
    json: values.json,
    server:
      values.server ??
      (values.scenario === 'io' && values.workers === undefined ? DEFAULT_SERVER : BENCH_SERVER),
    workers: workersOption(values),
    serverPid: serverPid === undefined ? undefined : numberOption('server-pid', serverPid, 1, 2 ** 22, true),
  }
}

type RawValues = ReturnType<typeof rawValues>

/** Parses one `--header 'Name: value'`. */
function parseHeader(raw: string): [string, string] {
  const colon = raw.indexOf(':')
  const name = colon > 0 ? raw.slice(0, colon).trim() : ''
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new UsageError(`--header must look like 'Name: value' (got ${JSON.stringify(raw)})`)
  }
  const value = raw.slice(colon + 1).trim()
  if (/[\r\n\0]/.test(value)) throw new UsageError(`--header ${name}: CR, LF and NUL are not allowed`)
  return [name.toLowerCase(), value]
}

/** Method, headers, body and --allow-remote; the request options need --url. */
function requestOptions(values: RawValues, scenario: Pick<Scenario, 'method' | 'headers' | 'body'>) {
  const custom = values.method !== undefined || values.header !== undefined || values.body !== undefined
  if (custom && values.url === undefined) {
    throw new UsageError(
      '--method, --header and --body need --url (started servers get the scenario request)',
    )
  }
  if (values['allow-remote'] && values.url === undefined) throw new UsageError('--allow-remote needs --url')
  const method = (values.method ?? scenario.method).toUpperCase()
  if (!/^[A-Z]{1,16}$/.test(method)) throw new UsageError(`--method must be a token like GET or POST`)
  const headers = { ...scenario.headers, ...Object.fromEntries((values.header ?? []).map(parseHeader)) }
  return { method, headers, body: values.body ?? scenario.body, allowRemote: values['allow-remote'] }
}

/** --generator and --rate. */
function loadOptions(values: RawValues) {
  const rate = values.rate === undefined ? undefined : numberOption('rate', values.rate, 1, 1_000_000, false)
  const named = GENERATORS.find((g) => g === values.generator)
  if (values.generator !== undefined && named === undefined) {
    throw new UsageError(`--generator must be one of ${GENERATORS.join(', ')} (got ${values.generator})`)
  }
  const generator: GeneratorName = named ?? (rate === undefined ? 'autocannon' : 'open')
  if ((generator === 'open') !== (rate !== undefined)) {
    throw new UsageError('--rate and --generator open go together (the open loop needs a rate)')
  }
  return { rate, generator }
}

/** --interval, and the flags the real-time scenarios do not take (they run their own generator). */
function realtimeOptions(values: RawValues): number {
  const realtime = findRealtimeScenario(values.scenario)
  if (realtime === undefined) {
    if (values.interval !== undefined) throw new UsageError('--interval needs --scenario ws-broadcast or sse')
    return DEFAULT_INTERVAL_MS
  }
  for (const flag of ['url', 'rate', 'generator'] as const) {
    if (values[flag] !== undefined) {
      throw new UsageError(
        `--${flag} does not apply to --scenario ${realtime.name} (it runs its own clients)`,
      )
    }
  }
  if (values.interval !== undefined && !realtime.broadcast) {
    throw new UsageError(`--interval needs a broadcast scenario (ws-broadcast or sse), not ${realtime.name}`)
  }
  return values.interval === undefined
    ? DEFAULT_INTERVAL_MS
    : numberOption('interval', values.interval, 1, 60_000, true)
}

/** --workers: only the Swiftlet bench server knows it (WORKERS), and only for request/response scenarios. */
function workersOption(values: RawValues): number | undefined {
  if (values.workers === undefined) return undefined
  if (values.url !== undefined) throw new UsageError('--workers starts the server: it excludes --url')
  if (values.server !== undefined && values.server !== BENCH_SERVER) {
    throw new UsageError(`--workers is understood by ${BENCH_SERVER} only (got --server ${values.server})`)
  }
  if (findRealtimeScenario(values.scenario) !== undefined) {
    throw new UsageError(
      '--workers applies to the request/response scenarios (a publish reaches one worker only)',
    )
  }
  return numberOption('workers', values.workers, 1, 64, true)
}
