import { describe, expect, it } from 'vitest'
import { loopMonitor, type BlockedReport } from '../../../src/index.js'
import { busyWait, loggedApp, waitUntil } from './helpers.js'

const BLOCKED = 'event loop blocked'

describe('loopMonitor()', () => {
  it('reports a handler that blocks the loop, with its route pattern', async () => {
    const { app, lines } = loggedApp()
    const monitor = loopMonitor(app, { thresholdMs: 50 })
    app.get('/reports/:id', () => {
      busyWait(100)
      return { done: true }
    })
    app.get('/quick', async () => {
      await new Promise((resolve) => setTimeout(resolve, 5))
      return { done: true }
    })
    expect((await app.inject('/quick')).status).toBe(200)
    // The histogram's first tick only starts its clock: a stall before it would go unrecorded.
    await waitUntil(() => monitor.delay.count > 0, 2000, 'the delay histogram to start')
    const res = await app.inject({ url: '/reports/42', headers: { 'x-request-id': 'blocker-1' } })
    expect(res.status).toBe(200)
    await waitUntil(() => lines.some((line) => line.msg === BLOCKED), 2000, 'the blocked-loop warning')
    const line = lines.find((entry) => entry.msg === BLOCKED)
    expect(line).toMatchObject({ level: 40, route: '/reports/:id', method: 'GET', suspects: 1 })
    expect(line?.blockedMs).toBeGreaterThanOrEqual(50)
    expect(line?.reqId).toBe('blocker-1')
    expect(monitor.stats().stalls).toBeGreaterThanOrEqual(1)
    // The histogram's timer and the monitor's own fire in either order after the stall.
    await waitUntil(() => monitor.stats().maxMs > 0, 2000, 'the histogram to record the stall')
    await app.close()
  })

  it('blames the request that was in flight when an async handler blocks after an await', async () => {
    const { app } = loggedApp()
    const reports: BlockedReport[] = []
    loopMonitor(app, { thresholdMs: 50, log: app.log.child({}), onBlocked: (report) => reports.push(report) })
    app.post('/import', async (ctx) => {
      await ctx.req.text()
      await new Promise((resolve) => setTimeout(resolve, 5))
      busyWait(100)
      return { imported: true }
    })
    expect((await app.inject({ method: 'POST', url: '/import', body: 'rows' })).status).toBe(200)
    await waitUntil(() => reports.length > 0, 2000, 'a report')
    expect(reports[0]).toMatchObject({ route: '/import', method: 'POST', suspects: 1 })
    await app.close()
  })

  it('says nothing about handlers that only await', async () => {
    const { app, lines } = loggedApp()
    loopMonitor(app, { thresholdMs: 200 })
    app.get('/io', async () => {
      await new Promise((resolve) => setTimeout(resolve, 20))
      return { done: true }
    })
    for (let i = 0; i < 5; i++) expect((await app.inject('/io')).status).toBe(200)
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(lines.filter((line) => line.msg === BLOCKED)).toEqual([])
    await app.close()
  })

  it('refuses a threshold or interval that is not a positive number of ms', () => {
    const { app } = loggedApp()
    expect(() => loopMonitor(app, { thresholdMs: 0 })).toThrow(RangeError)
    expect(() => loopMonitor(app, { intervalMs: -1 })).toThrow(RangeError)
  })
})
