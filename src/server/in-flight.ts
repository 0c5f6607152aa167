/** Counts a core's unfinished responses, so graceful shutdown knows when the drain is over. */

/** Responses a core has started and not yet finished (ended or aborted). */
export class InFlight {
  /** Unfinished responses. */
  count = 0
  #waiter: (() => void) | undefined

  /** A response started. */
  started(): void {
    this.count++
  }

  /** A response finished or was aborted; call exactly once per {@link started}. */
  released(): void {
    if (--this.count === 0) this.#waiter?.()
  }

  /** Resolves true once nothing is in flight, false when `timeoutMs` (ms) passed first. */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true)
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined
        resolve(false)
      }, timeoutMs)
      this.#waiter = () => {
        clearTimeout(timer)
        this.#waiter = undefined
        resolve(true)
      }
    })
  }
}
