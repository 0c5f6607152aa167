/**
 * examples/sse-dashboard with fetch on the real uWS core: the stream's headers (nothing buffers or
 * compresses it), sample events, Last-Event-ID resume, heartbeats, stream lifetime and shutdown. The page
 * in a browser is in in-chromium.test.ts.
 */
import { execFile } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withUrl } from '../../../examples/middleware/serve.js'
import { buildApp, tryIt } from '../../../examples/sse-dashboard/app.js'
import type { Sample } from '../../../examples/sse-dashboard/sampler.js'
import type { App } from '../../../src/index.js'
import { captureLogs, within } from '../helpers/server.js'
import { SseReader, type ParsedEvent } from './sse-reader.js'

const isSample = (e: ParsedEvent): boolean => e.event === 'sample'
const sampleOf = (e: ParsedEvent): Sample => JSON.parse(e.data ?? 'null') as Sample

describe('examples/sse-dashboard (fetch)', () => {
  const logs = captureLogs()
  let app: App
  let base = ''

  beforeAll(async () => {
    app = buildApp({ logger: logs.logger, intervalMs: 200 })
    base = (await app.listen({ port: 0, signals: false })).url.replace(/\/$/, '')
  })
  afterAll(() => app.close())

  async function open(headers: Record<string, string> = {}): Promise<{ res: Response; events: SseReader }> {
    const res = await fetch(`${base}/events`, { headers })
    return { res, events: new SseReader(res.body) }
  }

  it('streams text/event-stream with no-cache and no Content-Encoding, while the page itself is compressed', async () => {
    const acceptEncoding = { 'accept-encoding': 'gzip, br' }
    const page = await fetch(`${base}/`, { headers: acceptEncoding })
    expect(page.status).toBe(200)
    expect(page.headers.get('content-encoding')).toBe('br')
    expect(await page.text()).toContain('<script type="module" src="dashboard.js"></script>')

    const { res, events } = await open(acceptEncoding)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(res.headers.get('cache-control')).toBe('no-cache')
    expect(res.headers.get('x-accel-buffering')).toBe('no')
    expect(res.headers.get('content-encoding')).toBeNull()
    // Nothing held back: the retry field and the hello event arrive at once, the first sample after it.
    expect(await events.next(2000)).toEqual({ retry: '1000' })
    const hello = await events.next(2000)
    expect(hello.event).toBe('hello')
    expect(JSON.parse(hello.data ?? '')).toEqual({ resumedAfter: null, replayed: 0, intervalMs: 200 })
    expect(isSample(await events.next(2000))).toBe(true)
    await events.cancel()
  })

  it('sends a sample event with an id every interval, the ids consecutive', async () => {
    const { events } = await open()
    const first = await events.until(isSample)
    const second = await events.until(isSample)
    const [a, b] = [sampleOf(first), sampleOf(second)]
    expect(first.id).toBe(String(a.id))
    expect(b.id).toBe(a.id + 1)
    expect(b).toEqual({
      id: a.id + 1,
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      requests: expect.any(Number),
      inFlight: expect.any(Number),
      loopDelayMaxMs: expect.any(Number),
      rssMb: expect.any(Number),
      heapUsedMb: expect.any(Number),
      walk: expect.any(Number),
      clients: expect.any(Number),
    })
    expect(b.rssMb).toBeGreaterThan(0)
    expect(b.clients).toBeGreaterThanOrEqual(1)
    await events.cancel()
  })

  it('resumes after Last-Event-ID: the missed samples first, then live ones, and logs the resume', async () => {
    const first = await open()
    const seen = sampleOf(await first.events.until(isSample)).id
    await first.events.cancel()
    await sleep(700) // about three samples go by while disconnected

    const again = await open({ 'last-event-id': String(seen) })
    const hello = JSON.parse((await again.events.until((e) => e.event === 'hello')).data ?? '') as {
      resumedAfter: number
      replayed: number
    }
    expect(hello.resumedAfter).toBe(seen)
    expect(hello.replayed).toBeGreaterThanOrEqual(2)
    const ids: number[] = []
    while (ids.length < hello.replayed + 2) ids.push(sampleOf(await again.events.until(isSample)).id)
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => seen + 1 + i))
    await again.events.cancel()
    expect(logs.lines).toContainEqual(
      expect.objectContaining({
        msg: 'dashboard connected',
        lastEventId: String(seen),
        replayed: hello.replayed,
      }),
    )
  })

  it('starts fresh when Last-Event-ID is not one it gave out', async () => {
    for (const lastEventId of ['abc', '99999999', '-1', '1e3']) {
      const { res, events } = await open({ 'last-event-id': lastEventId })
      expect(res.status).toBe(200)
      const hello = await events.until((e) => e.event === 'hello')
      expect(JSON.parse(hello.data ?? '')).toMatchObject({ resumedAfter: null, replayed: 0 })
      await events.cancel()
    }
  })

  it('refuses a /work duration out of range with 422 and shows a blocked loop in the next samples', async () => {
    const bad = await fetch(`${base}/work?ms=5000`, { method: 'POST' })
    expect(bad.status).toBe(422)
    expect(await bad.json()).toMatchObject({ status: 422, code: 'ERR_VALIDATION' })

    const { events } = await open()
    await events.until(isSample)
    const work = await fetch(`${base}/work?ms=300`, { method: 'POST' })
    expect(await work.json()).toEqual({ blockedMs: 300 })
    const blocked = await events.until((e) => isSample(e) && sampleOf(e).loopDelayMaxMs >= 150, 5000)
    expect(sampleOf(blocked).loopDelayMaxMs).toBeLessThan(5000)
    await events.cancel()
  })
})

describe('examples/sse-dashboard heartbeat, stream lifetime and shutdown', () => {
  it('sends heartbeat comments between samples, ends a stream after maxStreamMs, and closes promptly', async () => {
    const app = buildApp({ intervalMs: 60_000, heartbeatMs: 100, maxStreamMs: 1500 })
    const base = (await app.listen({ port: 0, signals: false })).url
    try {
      const events = new SseReader((await fetch(`${base}/events`)).body)
      expect(await events.until((e) => e.comment !== undefined, 2000)).toEqual({ comment: 'heartbeat' })
      const ended = (async () => {
        for (;;) await events.next(5000)
      })()
      await expect(ended).rejects.toThrow('the stream ended')

      // A stream still open at shutdown is ended: close() does not wait for the 10 s drain deadline.
      const open = new SseReader((await fetch(`${base}/events`)).body)
      await open.until((e) => e.event === 'hello')
      await within(app.close(), 5000, 'app.close() with an open stream')
      await expect(open.until(() => false, 2000)).rejects.toThrow('the stream ended')
    } finally {
      await app.close()
    }
  })
})

describe('examples/sse-dashboard tryIt lines (npm run example -- sse-dashboard)', () => {
  it('answers each curl line: the page, two samples, a resume after sample 1, a blocked loop', async () => {
    const app = buildApp({ intervalMs: 200 })
    const { url } = await app.listen({ port: 0, signals: false })
    try {
      const run = promisify(execFile)
      const outputs = []
      for (const line of withUrl(tryIt, url.replace(/\/$/, ''))) {
        outputs.push((await run('sh', ['-c', line], { timeout: 15_000 })).stdout)
      }
      expect(outputs[0]).toMatch(/^HTTP\/1\.1 200 OK/)
      expect(outputs[1]).toMatch(
        /^retry: 1000\n\nevent: hello\n[^]*event: sample\nid: \d+\n[^]*event: sample\n/,
      )
      expect(outputs[2]).toContain('data: {"resumedAfter":1,')
      expect(outputs[2]).toMatch(/event: sample\nid: 2\ndata: \{"id":2,/)
      expect(JSON.parse(outputs[3] ?? '')).toEqual({ blockedMs: 300 })
    } finally {
      await app.close()
    }
  })
})
