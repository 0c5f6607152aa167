import type { LatencyStats } from './latency-histogram.js'

/**
 * Messages exchanged over IPC between the harness (parent) and the load generator child
 * (bench/lib/generator.ts). Kept in one place so both sides type-check against the same shapes.
 */

/** What the generator should do; sent once by the parent. */
export interface GeneratorConfig {
  /** Full target URL, already checked to be loopback. */
  url: string
  connections: number
  warmupS: number
  durationS: number
  /** Per-request timeout in seconds (autocannon counts a request as a timeout after this). */
  timeoutS: number
  /** Request method, headers and body. @default GET, none, none */
  method?: string
  headers?: Record<string, string>
  body?: string
  /** Open loop only: requests per second, scheduled by the clock. */
  rate?: number
  /** Which generator child runs the load. @default 'autocannon' */
  generator?: 'autocannon' | 'wrk' | 'open'
  /**
   * wrk only: one run over warm-up and window, the window counted by the server's `/stats` (every bench
   * server counts its I/O routes). Otherwise a separate warm-up run, and wrk's own totals for the window.
   */
  serverCountsWindow?: boolean
}

/**
 * Parent → generator. `go` opens the timed window once the parent has taken its baselines; the load
 * itself keeps running from the warm-up into the window without reconnecting.
 */
export type ParentMessage = { type: 'start'; config: GeneratorConfig } | { type: 'go' }

/** Which part of the run a progress line belongs to. */
export type Phase = 'warmup' | 'timed'

/** The generator's account of the timed window. Every count covers the window only. */
export interface TimedRunSummary {
  /** Wall-clock length of the window, measured by the generator. */
  windowS: number
  responses2xx: number
  responsesTotal: number
  /** Connection errors and timeouts reported by autocannon during the window. */
  errors: number
  timeouts: number
  non2xx: number
  statusCodes: Record<string, number>
  /** autocannon's per-response latencies inside the window, in ms. */
  latency: LatencyStats
  /** CPU time the generator process used during the window (process.cpuUsage delta). */
  cpuUserUs: number
  cpuSystemUs: number
  maxRssKb: number
}

/** Generator → parent. */
export type GeneratorMessage =
  | { type: 'progress'; phase: Phase; elapsedS: number; responses: number; rps: number }
  | {
      type: 'warmup-done'
      /** Real length of the warm-up: at least warmupS, longer while connections were still opening. */
      seconds: number
      responses: number
      errors: number
      non2xx: number
      /** Connections that had received at least one response by the end of the warm-up. */
      answered: number
    }
  | { type: 'result'; summary: TimedRunSummary; autocannonVersion: string }
  | { type: 'failed'; message: string }
