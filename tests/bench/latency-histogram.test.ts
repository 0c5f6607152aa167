import { describe, expect, it } from 'vitest'
import { LatencyHistogram } from '../../bench/lib/latency-histogram.js'

describe('LatencyHistogram', () => {
  it('never reports a percentile above the largest latency recorded', () => {
    const histogram = new LatencyHistogram()
    // 1060.3 ms falls in an HdrHistogram bucket (3 significant digits) whose top is about 1060.9 ms.
    for (let i = 0; i < 99; i++) histogram.record(12.3)
    histogram.record(1060.3)
    const stats = histogram.stats()
    expect(stats.max).toBe(1060.3)
    expect(stats.p999).toBeLessThanOrEqual(stats.max)
    expect(stats.p50).toBeCloseTo(12.3, 1)
    expect(stats.count).toBe(100)
  })

  it('reports zeros, not garbage, when nothing was recorded', () => {
    expect(new LatencyHistogram().stats()).toEqual({
      p50: 0,
      p90: 0,
      p99: 0,
      p999: 0,
      max: 0,
      mean: 0,
      count: 0,
    })
  })
})
