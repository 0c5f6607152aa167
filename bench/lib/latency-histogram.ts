/**
 * The latency histogram of the timed window, on hdr-histogram-js (HdrHistogram's JavaScript port), so the
 * percentiles are those of a well-kept implementation rather than our own. autocannon's own histogram covers
 * its whole run, which here includes the warm-up, so the generators record each latency in the window here.
 */
import * as hdr from 'hdr-histogram-js'

/** Values are recorded in µs: 1 µs resolution at the bottom, 3 significant digits everywhere. */
const US_PER_MS = 1000
/** Latencies above this are clamped; autocannon times requests out well before (60 s). */
const MAX_MS = 60_000

/** Percentiles and extremes in milliseconds. */
export interface LatencyStats {
  p50: number
  p90: number
  p99: number
  /** p99.9: where coordinated omission shows first. */
  p999: number
  max: number
  mean: number
  count: number
}

/** Counts latencies with constant memory whatever the duration and rate. */
export class LatencyHistogram {
  readonly #histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: MAX_MS * US_PER_MS,
    numberOfSignificantValueDigits: 3,
  })

  /** Records one latency in milliseconds. */
  record(ms: number): void {
    const us = Math.min(Math.max(1, Math.round(ms * US_PER_MS)), MAX_MS * US_PER_MS)
    this.#histogram.recordValue(us)
  }

  /**
   * The latency at or below which `p` percent of the recorded values lie, in ms. HdrHistogram answers with
   * the top of the value's bucket (3 significant digits), which can lie above the largest value recorded:
   * capped at that maximum, so p99.9 never reads above max.
   */
  percentile(p: number): number {
    const h = this.#histogram
    if (h.totalCount === 0) return 0
    return Math.min(h.getValueAtPercentile(p), h.maxValue) / US_PER_MS
  }

  /** Summary in milliseconds, rounded to 0.1 ms. */
  stats(): LatencyStats {
    const round = (n: number) => Math.round(n * 10) / 10
    const h = this.#histogram
    return {
      p50: round(this.percentile(50)),
      p90: round(this.percentile(90)),
      p99: round(this.percentile(99)),
      p999: round(this.percentile(99.9)),
      max: round(h.totalCount === 0 ? 0 : h.maxValue / US_PER_MS),
      mean: round(h.totalCount === 0 ? 0 : h.mean / US_PER_MS),
      count: h.totalCount,
    }
  }
}
