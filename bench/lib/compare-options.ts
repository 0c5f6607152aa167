/**
 * Command-line options of `npm run bench:compare`: which servers, scenarios and sweep points, how many
 * alternating rounds, and where to write JSON and HTML. Strict like the loadtest options: a typo is a usage
 * error (exit 2), never a silently different benchmark.
 */
import { parseArgs } from 'node:util'
import { UsageError } from './options.js'
import { SCENARIO_NAMES } from './scenarios.js'

/** Every server under bench/servers/ (the helpers there are not servers). */
export const ALL_SERVERS = [
  'swiftlet',
  'raw-uws',
  'node-http',
  'fastify',
  'hono',
  'express',
  'hyper-express',
  'ultimate-express',
] as const

/** Validated options of the comparison. */
export interface CompareOptions {
  servers: string[]
  scenarios: string[]
  connections: number[]
  ioDelays: number[]
  rounds: number
  durationS: number
  warmupS: number
  generator: 'autocannon' | 'wrk'
  json: string | undefined
  html: string | undefined
}

/** Text printed by `--help`. */
export const COMPARE_HELP = `Usage: npm run bench:compare -- [options]

Runs the same scenarios against Swiftlet and its peers (bench/servers/*.ts), alternating A B A B over
several rounds with a fresh server process per run, and reports medians and the ratios Swiftlet/raw-uWS
and Swiftlet/Fastify. Every run is one \`npm run loadtest\` (bounded in time, loopback only).

Options:
  --servers LIST      comma-separated, or "all" (default swiftlet,raw-uws,fastify)
                      known: ${ALL_SERVERS.join(', ')}
  --scenarios LIST    comma-separated (default hello,io); known: ${SCENARIO_NAMES.join(', ')}
  --connections LIST  sweep of connection counts, e.g. 100,500,1000,2000,5000,10000 (default 100)
  --io-delay LIST     sweep of I/O delays in ms, e.g. 10,50,500 (default 50)
  --rounds N          alternating rounds (default 3)
  --duration S        measured window of each run (default 5)
  --warmup S          warm-up of each run, not counted (default 1)
  --generator NAME    autocannon (default) or wrk (for peak rates and C10K)
  --json FILE         write every run and the medians as JSON
  --html FILE         write a self-contained HTML report (chart.js inlined, opens offline)
  -h, --help          show this help
`

function list(name: string, raw: string): string[] {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  if (items.length === 0) throw new UsageError(`--${name} needs at least one value`)
  return items
}

function numbers(name: string, raw: string, min: number, max: number): number[] {
  return list(name, raw).map((item) => {
    const n = /^\d+$/.test(item) ? Number(item) : Number.NaN
    if (!(n >= min && n <= max))
      throw new UsageError(`--${name}: ${item} is not an integer from ${min} to ${max}`)
    return n
  })
}

function known(name: string, items: string[], allowed: readonly string[]): string[] {
  for (const item of items) {
    if (!allowed.includes(item))
      throw new UsageError(`--${name}: unknown ${item} (known: ${allowed.join(', ')})`)
  }
  return items
}

/** Parses argv (without node and script); `'help'` when help was asked for. */
export function parseCompareOptions(argv: string[]): CompareOptions | 'help' {
  let values
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        servers: { type: 'string', default: 'swiftlet,raw-uws,fastify' },
        scenarios: { type: 'string', default: 'hello,io' },
        connections: { type: 'string', default: '100' },
        'io-delay': { type: 'string', default: '50' },
        rounds: { type: 'string', default: '3' },
        duration: { type: 'string', default: '5' },
        warmup: { type: 'string', default: '1' },
        generator: { type: 'string', default: 'autocannon' },
        json: { type: 'string' },
        html: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  if (values.help) return 'help'
  const generator = values.generator
  if (generator !== 'autocannon' && generator !== 'wrk')
    throw new UsageError('--generator: autocannon or wrk')
  const servers = values.servers === 'all' ? [...ALL_SERVERS] : list('servers', values.servers)
  return {
    servers: known('servers', servers, ALL_SERVERS),
    scenarios: known('scenarios', list('scenarios', values.scenarios), SCENARIO_NAMES),
    connections: numbers('connections', values.connections, 1, 100_000),
    ioDelays: numbers('io-delay', values['io-delay'], 1, 60_000),
    rounds: numbers('rounds', values.rounds, 1, 50)[0] ?? 3,
    durationS: numbers('duration', values.duration, 1, 600)[0] ?? 5,
    warmupS: numbers('warmup', values.warmup, 0, 600)[0] ?? 1,
    generator,
    json: values.json,
    html: values.html,
  }
}
