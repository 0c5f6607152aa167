/**
 * The longest event-loop delay per interval: a timer every `everyMs` notes how late it fired. (Resetting a
 * `monitorEventLoopDelay` histogram each interval would lose exactly this: its first delay after `reset()`
 * is not recorded, so a stall that straddles the reset vanishes.)
 */
import { performance } from 'node:perf_hooks'

/** Measures event-loop delay until stopped. */
export class LagProbe {
  readonly #everyMs: number
  #last = performance.now()
  #max = 0
  #timer: NodeJS.Timeout | undefined

  /** @param everyMs - Probe period, in ms: delays shorter than about this are not seen. @default 20 */
  constructor(everyMs = 20) {
    this.#everyMs = everyMs
  }

  start(): void {
    this.#last = performance.now()
    this.#timer ??= setInterval(() => {
      const now = performance.now()
      this.#max = Math.max(this.#max, now - this.#last - this.#everyMs)
      this.#last = now
    }, this.#everyMs).unref()
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  /** The longest delay since the previous call, in ms (0.1 ms steps), and starts a new interval. */
  take(): number {
    // A stall still going on shows up too: the probe has not run since `#last`.
    const current = performance.now() - this.#last - this.#everyMs
    const max = Math.max(this.#max, current, 0)
    this.#max = 0
    return Math.round(max * 10) / 10
  }
}
