/**
 * The load-test CLIs parse what docs/load-testing.md promises and refuse targets off this machine. Nothing
 * here sends traffic or times anything.
 */
import { describe, expect, it } from 'vitest'
import { parseCompareOptions } from '../../bench/lib/compare-options.js'
import { median, ratios, summarise } from '../../bench/lib/compare-stats.js'
import type { CompareRun } from '../../bench/lib/compare-stats.js'
import { parseOptions, UsageError } from '../../bench/lib/options.js'
import type { Options } from '../../bench/lib/options.js'
import type { Report } from '../../bench/lib/report.js'
import { resolveTarget, TargetRefused } from '../../bench/lib/target.js'

function parse(argv: string[]): Options {
  const opts = parseOptions(argv)
  if (opts === 'help') throw new Error('unexpected help')
  return opts
}

describe('npm run loadtest options', () => {
  it('keeps the defaults of a plain run: io against the example API, autocannon', () => {
    const opts = parse([])
    expect(opts).toMatchObject({ scenario: 'io', server: 'examples/api/main.ts', generator: 'autocannon' })
    expect(opts).toMatchObject({ connections: 1000, method: 'GET', rate: undefined, allowRemote: false })
  })

  it('starts the Swiftlet bench server for a scenario the example API does not serve', () => {
    const opts = parse(['--scenario', 'json-post'])
    expect(opts).toMatchObject({ server: 'bench/servers/swiftlet.ts', method: 'POST' })
    expect(opts.headers).toEqual({ 'content-type': 'application/json' })
  })

  it('turns --rate into the open-loop generator', () => {
    expect(parse(['--rate', '500'])).toMatchObject({ rate: 500, generator: 'open' })
    expect(() => parse(['--generator', 'open'])).toThrow(UsageError)
  })

  it('takes --method, --header and --body only with --url', () => {
    const opts = parse([
      '--url',
      'http://127.0.0.1:3000/x',
      '--method',
      'put',
      '--header',
      'X-A: 1',
      '--body',
      'b',
    ])
    expect(opts).toMatchObject({ method: 'PUT', headers: { 'x-a': '1' }, body: 'b' })
    expect(() => parse(['--method', 'POST'])).toThrow(UsageError)
    expect(() => parse(['--url', 'http://127.0.0.1:1/', '--header', 'no colon'])).toThrow(UsageError)
  })

  it('rejects an unknown scenario and --allow-remote without --url', () => {
    expect(() => parse(['--scenario', 'nope'])).toThrow(UsageError)
    expect(() => parse(['--allow-remote'])).toThrow(UsageError)
  })
})

describe('resolveTarget', () => {
  it('accepts loopback and gives a bare origin the scenario path', () => {
    expect(resolveTarget('http://127.0.0.1:3000', 'timer', { defaultPath: '/hello' }).url).toBe(
      'http://127.0.0.1:3000/hello',
    )
    expect(resolveTarget('http://[::1]:3000', 'timer').url).toBe('http://[::1]:3000/io?kind=timer')
  })

  // These only check the parser's verdict: nothing here opens a connection.
  it('refuses hosts off this machine, also names that might resolve to loopback', () => {
    for (const url of ['http://[fd00::1]:3000/', 'http://example.com/', 'http://localhost.example.com/']) {
      expect(() => resolveTarget(url, 'timer')).toThrow(TargetRefused)
    }
  })

  it('lets --allow-remote through with the loud warning as its note', () => {
    const target = resolveTarget('http://example.com:8080/x', 'timer', { allowRemote: true })
    expect(target.url).toBe('http://example.com:8080/x')
    expect(target.note).toMatch(/NOT this machine/)
  })
})

describe('npm run bench:compare options and medians', () => {
  it('parses the sweep lists and refuses unknown servers', () => {
    const opts = parseCompareOptions(['--connections', '100,500', '--io-delay', '10,50', '--servers', 'all'])
    if (opts === 'help') throw new Error('unexpected help')
    expect(opts.connections).toEqual([100, 500])
    expect(opts.ioDelays).toEqual([10, 50])
    expect(opts.servers).toContain('ultimate-express')
    expect(() => parseCompareOptions(['--servers', 'nginx'])).toThrow(UsageError)
  })

  it('takes medians per server and divides Swiftlet by the baselines', () => {
    expect(median([3, null, 1, 2])).toBe(2)
    const run = (server: string, round: number, cpu: number): CompareRun => ({
      server,
      round,
      report: {
        scenario: 'hello',
        connections: 100,
        ioDelayMs: 50,
        requestsPerSecond: 1000,
        latencyP50Ms: 1,
        latencyP99Ms: 2,
        latencyMaxMs: 3,
        errors: 0,
        non2xx: 0,
        efficiency: null,
        serverCpuUsPerRequest: cpu,
        serverRssMb: 50,
      } as Report,
    })
    const rows = summarise([
      run('swiftlet', 1, 12),
      run('raw-uws', 1, 10),
      run('swiftlet', 2, 14),
      run('raw-uws', 2, 10),
    ])
    expect(rows.find((r) => r.server === 'swiftlet')).toMatchObject({
      serverCpuUsPerRequest: 13,
      rounds: 2,
      rssMb: 50,
    })
    const runs = [
      run('swiftlet', 1, 12),
      run('raw-uws', 1, 10),
      run('swiftlet', 2, 14),
      run('raw-uws', 2, 10),
    ]
    expect(ratios(rows, ['raw-uws'], runs)[0]).toMatchObject({
      baseline: 'raw-uws',
      cpuPerRequest: 1.3,
      cpuPerRequestPairedMedian: 1.3,
    })
  })
})
