/**
 * Server side of the real-time scenarios, shared by bench/servers/swiftlet.ts and raw-uws.ts: the broadcast
 * timer that publishes a timestamped message every interval, the counts behind `GET /realtime`, and the
 * parsing of `POST /realtime/start?intervalMs=`. Each server wires it to its own WebSocket topic and SSE
 * streams. The routes (see docs/load-testing.md, "Real-time scenarios"):
 *
 * - `GET /ws` (WebSocket; `?subscribe=1` subscribes to {@link REALTIME_TOPIC}), `GET /sse` (event stream);
 * - `GET /realtime` → {@link RealtimeSnapshot}; `POST /realtime/start?intervalMs=N` → 204 (400 when N is not
 *   an integer from 1 to 60,000, 409 when already publishing); `POST /realtime/stop` → {@link PublishStats}.
 */
import { monotonicUs } from './ws-protocol.js'

/** The WebSocket topic every `?subscribe=1` client joins. */
export const REALTIME_TOPIC = 'bench'
/** Padding so a message is about 128 bytes, a typical small notification. */
const PAD = 'x'.repeat(80)

/** What `POST /realtime/stop` answers. */
export interface PublishStats {
  published: number
  /**
   * Server-side fan-out time per message, ms: from just before the publish call until the event loop is free
   * again (the next `setImmediate`), so writes done in promise continuations (SSE streams) are included.
   */
  fanoutMsMean: number | null
  fanoutMsMax: number | null
  /**
   * Server CPU over the same span (process.cpuUsage, all threads), ms per message: what one broadcast costs
   * when nothing else competes for the core. On a busy machine the fan-out time above is longer, this is not.
   */
  fanoutCpuMsMean: number | null
}

/** What `GET /realtime` answers. */
export interface RealtimeSnapshot {
  webSockets: number
  sseStreams: number
  published: number
  publishing: boolean
}

/** `intervalMs` of `POST /realtime/start`, or undefined when it is not an integer from 1 to 60,000. */
export function parseIntervalMs(raw: string | null | undefined): number | undefined {
  if (raw === null || raw === undefined || !/^\d{1,5}$/.test(raw)) return undefined
  const ms = Number(raw)
  return ms >= 1 && ms <= 60_000 ? ms : undefined
}

/** The broadcast timer and the connection counts. */
export class RealtimeHub {
  webSockets = 0
  sseStreams = 0
  #timer: NodeJS.Timeout | undefined
  #seq = 0
  #fanoutCount = 0
  #fanoutSumMs = 0
  #fanoutMaxMs = 0
  #fanoutCpuUs = 0

  /** `publish` sends one text message to every subscriber (WebSocket topic and SSE streams). */
  constructor(private readonly publish: (text: string) => void) {}

  /** Starts publishing every `intervalMs`; false when already publishing. */
  start(intervalMs: number): boolean {
    if (this.#timer !== undefined) return false
    this.#fanoutCount = 0
    this.#fanoutSumMs = 0
    this.#fanoutMaxMs = 0
    this.#fanoutCpuUs = 0
    this.#timer = setInterval(() => this.#tick(), intervalMs)
    return true
  }

  /** Stops publishing and returns the figures since {@link start}. */
  stop(): PublishStats {
    clearInterval(this.#timer)
    this.#timer = undefined
    const n = this.#fanoutCount
    const ms = (value: number) => (n === 0 ? null : Math.round(value * 1000) / 1000)
    return {
      published: this.#seq,
      fanoutMsMean: ms(this.#fanoutSumMs / n),
      fanoutMsMax: ms(this.#fanoutMaxMs),
      fanoutCpuMsMean: ms(this.#fanoutCpuUs / 1000 / n),
    }
  }

  snapshot(): RealtimeSnapshot {
    const { webSockets, sseStreams } = this
    return { webSockets, sseStreams, published: this.#seq, publishing: this.#timer !== undefined }
  }

  #tick(): void {
    const cpu = process.cpuUsage()
    const t = monotonicUs()
    const seq = ++this.#seq
    this.publish(JSON.stringify({ seq, t: Math.round(t), pad: PAD }))
    setImmediate(() => {
      const ms = (monotonicUs() - t) / 1000
      const used = process.cpuUsage(cpu)
      this.#fanoutCpuUs += used.user + used.system
      this.#fanoutCount++
      this.#fanoutSumMs += ms
      if (ms > this.#fanoutMaxMs) this.#fanoutMaxMs = ms
    })
  }
}
