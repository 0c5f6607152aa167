import { setTimeout as sleep } from 'node:timers/promises'
import { Pool } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { FixtureProcess } from '../helpers/child.js'

const CLIENTS = 1000
const DEADLINE_MS = 5000
/** Requests per client at most: every loop is bounded even if the server never goes away. */
const MAX_PER_CLIENT = 40

/** How one request ended, as a client sees it. */
type Outcome = 'ok' | 'clean-503' | 'refused' | 'mid-body' | 'bad-status'

interface Tally {
  counts: Record<Outcome, number>
  errors: string[]
  /** When each response without `Connection: close` was asked for (ms since epoch). */
  keptOpenAsked: number[]
}

/** One request: 'refused' when no response head arrived, 'mid-body' when the body broke off. */
async function once(pool: Pool, tally: Tally): Promise<Outcome> {
  const asked = Date.now()
  let head: Awaited<ReturnType<Pool['request']>>
  try {
    head = await pool.request({ path: '/slow', method: 'GET' })
  } catch (err) {
    tally.errors.push(`before head: ${(err as { code?: string }).code ?? String(err)}`)
    return 'refused'
  }
  try {
    const body = (await head.body.json()) as unknown
    if (head.headers.connection !== 'close') tally.keptOpenAsked.push(asked)
    if (head.statusCode === 503) return head.headers.connection === 'close' ? 'clean-503' : 'bad-status'
    return head.statusCode === 200 && JSON.stringify(body) === '{"done":true}' ? 'ok' : 'bad-status'
  } catch (err) {
    tally.errors.push(`mid-body: ${(err as { code?: string }).code ?? String(err)}`)
    return 'mid-body'
  }
}

describe('graceful shutdown under load (child process)', () => {
  let fixture: FixtureProcess | undefined

  afterEach(async () => {
    await fixture?.stop()
    fixture = undefined
  })

  it(`SIGTERM with ${CLIENTS} keep-alive clients awaiting a 200 ms route: every request that reached the handler gets its 200, none is cut mid-body, exit 0 within the ${DEADLINE_MS} ms deadline`, async () => {
    fixture = new FixtureProcess('load-shutdown-app.ts', [String(DEADLINE_MS)])
    const listening = await fixture.waitForLine((l) => l.event === 'listening', 20_000)
    const pool = new Pool(`http://127.0.0.1:${String(listening.port)}`, {
      connections: CLIENTS,
      pipelining: 1,
      headersTimeout: 15_000,
      bodyTimeout: 15_000,
    })
    const tally: Tally = {
      counts: { ok: 0, 'clean-503': 0, refused: 0, 'mid-body': 0, 'bad-status': 0 },
      errors: [],
      keptOpenAsked: [],
    }
    let signalAt = 0
    const client = async (): Promise<void> => {
      for (let i = 0; i < MAX_PER_CLIENT && fixture?.exit === undefined; i++) {
        const outcome = await once(pool, tally)
        tally.counts[outcome]++
        if (outcome === 'refused') return // the server no longer accepts: this client is done
      }
    }
    try {
      const clients = Array.from({ length: CLIENTS }, client)
      // Let every connection open and carry a few requests, then stop the server under full load.
      for (let i = 0; i < 100 && tally.counts.ok < CLIENTS * 2; i++) await sleep(50)
      signalAt = Date.now()
      fixture.kill('SIGTERM')
      const exit = await fixture.waitForExit(DEADLINE_MS + 5000)
      const exitedAfterMs = Date.now() - signalAt
      await Promise.all(clients)
      const drained = await fixture.waitForLine((l) => l.event === 'drained', 1000)
      const sigterm = await fixture.waitForLine((l) => l.event === 'sigterm', 1000)

      const summary = JSON.stringify({ counts: tally.counts, drained, errors: tally.errors.slice(0, 5) })
      expect(exit, summary).toEqual({ code: 0, signal: null })
      expect(exitedAfterMs, summary).toBeLessThan(DEADLINE_MS + 2000)
      expect(tally.counts['mid-body'], summary).toBe(0)
      expect(tally.counts['bad-status'], summary).toBe(0)
      // Every request the server accepted (its handler ran) was answered in full, and none was left over.
      expect(drained.started, summary).toBe(drained.finished)
      expect(tally.counts.ok + tally.counts['clean-503'], summary).toBe(drained.started)
      expect(drained.stats, summary).toMatchObject({ inFlight: 0 })
      // Requests asked for once the drain had begun are answered with `Connection: close`.
      expect(
        tally.keptOpenAsked.filter((asked) => asked > Number(sigterm.at)),
        summary,
      ).toEqual([])
      expect(tally.counts.ok, summary).toBeGreaterThan(CLIENTS)
    } finally {
      await pool.destroy()
    }
  }, 60_000)
})
