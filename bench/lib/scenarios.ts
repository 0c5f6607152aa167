/**
 * The load-test scenarios: which request each one sends to a bench server (bench/servers/*.ts) and which
 * I/O delay bounds it by Little's law. The routes themselves live in the servers; see shared.ts there.
 */

/** A scenario's request and its Little's-law basis. */
export interface Scenario {
  name: string
  /** One line for `--help`. */
  summary: string
  method: 'GET' | 'POST'
  /** Path and query; `io` adds the I/O kind. */
  path: (ioKind: string) => string
  body?: string
  headers?: Record<string, string>
  /**
   * Minimum time one request takes for a given `--io-delay`, in ms; `undefined` when the request awaits no
   * I/O (then there is no Little's-law bound, and only CPU per request and latency mean something).
   */
  boundDelayMs: (ioDelayMs: number) => number | undefined
}

const JSON_BODY = JSON.stringify({ name: 'widget', price: 9.5, tags: ['a', 'b'] })
const none = () => undefined
const oneDelay = (ms: number) => ms

/** Every scenario, by name. `io` is the default and the only one the example API serves. */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'io',
    summary: 'awaits --io-delay ms of I/O',
    method: 'GET',
    path: (k) => `/io?kind=${k}`,
    boundDelayMs: oneDelay,
  },
  {
    name: 'hello',
    summary: 'a small JSON answer: framework overhead',
    method: 'GET',
    path: () => '/hello',
    boundDelayMs: none,
  },
  {
    name: 'params',
    summary: '/r137/42/items/7 among 300 routes with parameters',
    method: 'GET',
    path: () => '/r137/42/items/7',
    boundDelayMs: none,
  },
  {
    name: 'json-post',
    summary: 'POST a JSON body, parsed and validated with zod',
    method: 'POST',
    path: () => '/json',
    body: JSON_BODY,
    headers: { 'content-type': 'application/json' },
    boundDelayMs: none,
  },
  {
    name: 'middleware',
    summary: 'a chain of 10 middleware',
    method: 'GET',
    path: () => '/mw',
    boundDelayMs: none,
  },
  {
    name: 'gather',
    summary: '3 I/O calls awaited together with Promise.all (~1 delay)',
    method: 'GET',
    path: () => '/gather?mode=all',
    boundDelayMs: oneDelay,
  },
  {
    name: 'gather-seq',
    summary: 'the same 3 I/O calls awaited one after another (~3 delays)',
    method: 'GET',
    path: () => '/gather?mode=seq',
    boundDelayMs: (ms) => 3 * ms,
  },
  {
    name: 'blocking',
    summary: '--io-delay ms of synchronous work: blocks the event loop',
    method: 'GET',
    path: () => '/blocking?mode=sync',
    boundDelayMs: oneDelay,
  },
  {
    name: 'blocking-async',
    summary: 'the same delay awaited instead',
    method: 'GET',
    path: () => '/blocking?mode=async',
    boundDelayMs: oneDelay,
  },
]

/** Names of {@link SCENARIOS}. */
export const SCENARIO_NAMES = SCENARIOS.map((s) => s.name)

/** The scenario called `name`, or undefined. */
export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name)
}
