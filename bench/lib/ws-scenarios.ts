/**
 * The real-time scenarios of `npm run loadtest`: many long-lived connections instead of requests. They run
 * their own generator (ws-generator.ts) and report connections, memory and delivery latency instead of
 * request throughput. The routes are in bench/lib/ws-bench-hub.ts and the bench servers.
 */
import type { RealtimeKind } from './ws-protocol.js'

/** A real-time scenario. */
export interface RealtimeScenario {
  name: RealtimeKind
  /** One line for `--help`. */
  summary: string
  /** Protocol and path of the clients' URL. */
  scheme: 'ws' | 'http'
  path: string
  /** True when the server publishes during the window (a broadcast to every client). */
  broadcast: boolean
}

/** Every real-time scenario, by name. */
export const REALTIME_SCENARIOS: readonly RealtimeScenario[] = [
  {
    name: 'ws-idle',
    summary: 'N WebSocket clients connect and stay idle: server RSS, CPU',
    scheme: 'ws',
    path: '/ws',
    broadcast: false,
  },
  {
    name: 'ws-broadcast',
    summary: 'N WebSockets on one topic, a message every --interval ms',
    scheme: 'ws',
    path: '/ws?subscribe=1',
    broadcast: true,
  },
  {
    name: 'sse',
    summary: 'N SSE subscribers on one stream, an event every --interval ms',
    scheme: 'http',
    path: '/sse',
    broadcast: true,
  },
]

/** Names of {@link REALTIME_SCENARIOS}. */
export const REALTIME_SCENARIO_NAMES = REALTIME_SCENARIOS.map((s) => s.name)

/** The real-time scenario called `name`, or undefined. */
export function findRealtimeScenario(name: string): RealtimeScenario | undefined {
  return REALTIME_SCENARIOS.find((s) => s.name === name)
}

/** Default publish interval of the broadcast scenarios, in ms (`--interval`). */
export const DEFAULT_INTERVAL_MS = 200
