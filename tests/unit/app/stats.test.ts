import { describe, expect, it } from 'vitest'
import { deferred, quietApp } from './helpers.js'

describe('app.stats()', () => {
  it('counts requests in flight while handlers await, and the peak', async () => {
    const app = quietApp()
    const gate = deferred()
    app.get('/slow', async () => {
      await gate.promise
      return 'done'
    })
    expect(app.stats()).toEqual({ inFlight: 0, peakInFlight: 0, requests: 0 })
    const pending = [app.inject('/slow'), app.inject('/slow'), app.inject('/slow')]
    await new Promise((resolve) => setImmediate(resolve))
    expect(app.stats()).toEqual({ inFlight: 3, peakInFlight: 3, requests: 0 })
    gate.resolve()
    const responses = await Promise.all(pending)
    expect(responses.map((res) => res.body)).toEqual(['done', 'done', 'done'])
    expect(app.stats()).toEqual({ inFlight: 0, peakInFlight: 3, requests: 3 })
  })

  it('counts failed and automatic answers too', async () => {
    const app = quietApp()
    app.get('/boom', () => {
      throw new Error('x')
    })
    await app.inject('/boom')
    await app.inject('/nope')
    expect(app.stats()).toMatchObject({ inFlight: 0, requests: 2 })
  })

  it('returns a snapshot, and resetPeak() lowers the peak to the current count', async () => {
    const app = quietApp()
    app.get('/x', () => 'x')
    await Promise.all([app.inject('/x'), app.inject('/x')])
    const snapshot = app.stats()
    snapshot.inFlight = 99
    expect(app.stats().inFlight).toBe(0)
    expect(app.stats().peakInFlight).toBe(2)
    app.resetPeak()
    expect(app.stats().peakInFlight).toBe(0)
  })
})
