/**
 * A fixed-resolution latency histogram for the timed window. autocannon's own histogram covers its whole
 * run, which here includes the warm-up, so the generator records autocannon's per-response latencies
 * (the same values autocannon records) into this one while the window is open.
 */

/** 0.1 ms buckets: finer than autocannon's whole milliseconds, and 0.1 ms is far below loopback jitter. */
const BUCKETS_PER_MS = 10
/** Latencies above this are clamped into the last bucket; autocannon times requests out well before. */
const MAX_MS = 60_000

/** Percentiles and extremes in milliseconds. */
export interface LatencyStats {
  p50: number
  p90: number
  p99: number
  max: number
  mean: number
  count: number
}

/** Counts latencies; memory is constant (2.4 MB) whatever the duration and rate. */
export class LatencyHistogram {
  private readonly counts = new Uint32Array(MAX_MS * BUCKETS_PER_MS + 1)
  private count = 0
  private sum = 0
  private max = 0

  /** Records one latency in milliseconds. */
  record(ms: number): void {
    const index = Math.min(Math.max(0, Math.floor(ms * BUCKETS_PER_MS)), this.counts.length - 1)
    this.counts[index] = (this.counts[index] ?? 0) + 1
    this.count++
    this.sum += ms
    if (ms > this.max) this.max = ms
  }

  /** The latency at or below which `p` percent of the recorded values lie (nearest rank). */
  percentile(p: number): number {
    if (this.count === 0) return 0
    const rank = Math.max(1, Math.ceil((p / 100) * this.count))
    let seen = 0
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i] ?? 0
      if (seen >= rank) return i / BUCKETS_PER_MS
    }
    return MAX_MS
  }

  /** Summary in milliseconds, rounded to the bucket resolution. */
  stats(): LatencyStats {
    const round = (n: number) => Math.round(n * BUCKETS_PER_MS) / BUCKETS_PER_MS
    return {
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      max: round(this.max),
      mean: this.count === 0 ? 0 : round(this.sum / this.count),
      count: this.count,
    }
  }
}
