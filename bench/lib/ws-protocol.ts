/**
 * The real-time scenarios' IPC between the harness and their generator child (bench/lib/ws-generator.ts),
 * and the clock both sides and the bench servers share.
 *
 * Latency across processes: every message carries the server's `process.hrtime` at publish time, and the
 * client compares it with its own. On Linux both read CLOCK_MONOTONIC, one clock for the whole machine, so the
 * difference is a real delay (no skew between processes), valid as long as everything runs on this machine.
 */
import type { LatencyStats } from './latency-histogram.js'
import type { DeliveryStats } from './ws-delivery.js'

/** The three real-time scenarios. */
export type RealtimeKind = 'ws-idle' | 'ws-broadcast' | 'sse'

/**
 * Microseconds on the machine-wide monotonic clock (`process.hrtime`), as a float. Read directly each time:
 * an offset to `performance.now()` computed once can be off by milliseconds when the process is descheduled
 * between the two reads, which on a busy machine made deliveries look faster than they were.
 */
export function monotonicUs(): number {
  const [seconds, nanoseconds] = process.hrtime()
  return seconds * 1e6 + nanoseconds / 1e3
}

/** What the generator does; sent once with `start`. */
export interface RealtimeConfig {
  kind: RealtimeKind
  /** `ws://…/ws[?subscribe=1]` or `http://…/sse`, already checked to be loopback. */
  url: string
  connections: number
  /** Handshakes in progress at once: below the accept backlog (512 in uSockets), so no SYN is dropped. */
  connectConcurrency: number
  /** Per-connection handshake timeout, in ms. */
  handshakeTimeoutMs: number
  /** No new connection is started after this many seconds; the rest count as connect errors. */
  connectDeadlineS: number
  /** After `stop`: how long to wait for window messages still on their way to some client, in ms. */
  graceMs: number
}

/** Parent → generator. `go` opens the window, `stop` closes it (each at the generator's clock). */
export type RealtimeParentMessage =
  { type: 'start'; config: RealtimeConfig } | { type: 'go' } | { type: 'stop' }

/** The connect phase, as the generator saw it. */
export interface ConnectSummary {
  opened: number
  errors: number
  /** The first connect error's message, to show the user what went wrong. */
  firstError: string | undefined
  /** From the first connect started to the last one settled. */
  seconds: number
  /** Handshake time per successful connection (TCP + HTTP upgrade or SSE response headers), ms. */
  latency: LatencyStats
  /** Generator CPU during the connect phase, µs. */
  cpuUs: number
}

/** The window, as the generator saw it (delivery counts: see {@link DeliveryStats}). */
export interface RealtimeWindowSummary extends DeliveryStats {
  windowS: number
  /** Generator CPU over the window (process.cpuUsage), µs; and its peak RSS, kB. */
  cpuUs: number
  maxRssKb: number
  /** Clients open when the window opened, and how many clients closed after opening (each an error). */
  openAtStart: number
  closedDuringRun: number
  /** Messages that arrived but were not bench messages (unparsable), counted for the record. */
  malformed: number
}

/** Generator → parent. */
export type RealtimeGeneratorMessage =
  | { type: 'progress'; phase: 'connect' | 'run'; elapsedS: number; open: number; deliveries: number }
  | ({ type: 'connected' } & ConnectSummary)
  | { type: 'result'; summary: RealtimeWindowSummary; client: string; clientVersion: string }
  | { type: 'failed'; message: string }
