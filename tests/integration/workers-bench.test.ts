/**
 * The load test's `--workers N`: the option's rules, and the server CPU and RSS figures covering the primary
 * and its workers (a real primary with two workers; nothing is timed).
 */
import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { parseOptions, UsageError, type Options } from '../../bench/lib/options.js'
import { processCpuTicks, processRssKb, serverCpuTicks, serverProcesses } from '../../bench/lib/proc-stats.js'
import { FixtureProcess } from './helpers/child.js'

function parse(argv: string[]): Options {
  const opts = parseOptions(argv)
  if (opts === 'help') throw new Error('unexpected help')
  return opts
}

describe('npm run loadtest --workers', () => {
  it('starts the Swiftlet bench server with N workers, io included', () => {
    expect(parse(['--workers', '2'])).toMatchObject({ workers: 2, server: 'bench/servers/swiftlet.ts' })
    expect(parse(['--scenario', 'hello', '--workers', '1'])).toMatchObject({ workers: 1 })
    expect(parse([])).toMatchObject({ workers: undefined, server: 'examples/api/main.ts' })
  })

  it('refuses --workers with --url, with another server, and outside 1..64', () => {
    expect(() => parse(['--workers', '2', '--url', 'http://127.0.0.1:3000'])).toThrow(/excludes --url/)
    expect(() => parse(['--workers', '2', '--server', 'bench/servers/fastify.ts'])).toThrow(
      /bench\/servers\/swiftlet.ts only/,
    )
    for (const bad of ['0', '65', '1.5', 'two']) expect(() => parse(['--workers', bad])).toThrow(UsageError)
  })
})

describe('server CPU and RSS with workers', () => {
  let fixture: FixtureProcess | undefined
  afterAll(() => fixture?.stop())

  it('counts the primary and both of its workers as the server', async () => {
    fixture = new FixtureProcess('workers-app.ts')
    const listening = await fixture.waitForLine(
      (l) => l.event === 'listening' && l.workers !== undefined,
      60_000,
    )
    const primary = listening.pid as number
    const workers = listening.pids as number[]

    expect(new Set(serverProcesses(primary))).toEqual(new Set([primary, ...workers]))
    // A process that is not a cluster primary counts alone.
    expect(serverProcesses(process.pid)).toEqual([process.pid])
    // Read each process first: the counters only grow, so the server's sum is at least their total, which
    // is more than the primary's own (each worker compiled the sources: many ticks).
    const each = [primary, ...workers].map((pid) => processCpuTicks(pid) ?? Number.NaN)
    const workersTicks = (each[1] ?? 0) + (each[2] ?? 0)
    expect(workersTicks).toBeGreaterThan(0)
    expect(serverCpuTicks(primary)).toBeGreaterThanOrEqual(each.reduce((a, b) => a + b, 0))
    expect(processRssKb(primary)).toBeGreaterThan(rssOf(primary))
  }, 120_000)
})

/** VmRSS of one process, read directly, in kB. */
function rssOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Number(match?.[1])
}
