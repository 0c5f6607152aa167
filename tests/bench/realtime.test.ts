/**
 * The pieces of the real-time load scenarios that need no sockets: the CLI accepts and refuses what
 * docs/load-testing.md says, the delivery accounting counts what a user would count, and the SSE parser reads
 * the event-stream format. Nothing here sends traffic or times anything.
 */
import { describe, expect, it } from 'vitest'
import { HELP, parseOptions, UsageError } from '../../bench/lib/options.js'
import type { Options } from '../../bench/lib/options.js'
import { EventStreamParser } from '../../bench/lib/sse-client.js'
import { parseIntervalMs } from '../../bench/lib/ws-bench-hub.js'
import { DeliveryTracker, parseBenchMessage } from '../../bench/lib/ws-delivery.js'
import type { LatencyStats } from '../../bench/lib/latency-histogram.js'
import { buildRealtimeReport, renderRealtimeSummary } from '../../bench/lib/ws-report.js'
import type { RealtimeMeasurements } from '../../bench/lib/ws-report.js'
import { findRealtimeScenario } from '../../bench/lib/ws-scenarios.js'

function parse(argv: string[]): Options {
  const opts = parseOptions(argv)
  if (opts === 'help') throw new Error('unexpected help')
  return opts
}

describe('npm run loadtest real-time options', () => {
  it('lists ws-idle, ws-broadcast, sse and --interval in --help', () => {
    for (const text of ['ws-idle', 'ws-broadcast', 'sse ', '--interval MS']) expect(HELP).toContain(text)
  })

  it('starts the Swiftlet bench server and takes --interval for a broadcast', () => {
    const opts = parse(['--scenario', 'ws-broadcast', '--connections', '10000', '--interval', '500'])
    expect(opts).toMatchObject({ scenario: 'ws-broadcast', server: 'bench/servers/swiftlet.ts' })
    expect(opts).toMatchObject({ connections: 10000, intervalMs: 500 })
  })

  it('refuses --interval without a broadcast, and the HTTP generator flags', () => {
    expect(() => parse(['--scenario', 'ws-idle', '--interval', '100'])).toThrow(UsageError)
    expect(() => parse(['--scenario', 'hello', '--interval', '100'])).toThrow(UsageError)
    expect(() => parse(['--scenario', 'sse', '--interval', '0'])).toThrow(UsageError)
    expect(() => parse(['--scenario', 'sse', '--rate', '100'])).toThrow(/does not apply/)
    expect(() => parse(['--scenario', 'ws-idle', '--url', 'http://127.0.0.1:3000/'])).toThrow(
      /does not apply/,
    )
    expect(() => parse(['--scenario', 'ws-idle', '--generator', 'wrk'])).toThrow(/does not apply/)
  })
})

describe('parseIntervalMs (POST /realtime/start)', () => {
  it('takes integers from 1 to 60000 and nothing else', () => {
    expect(parseIntervalMs('1')).toBe(1)
    expect(parseIntervalMs('60000')).toBe(60_000)
    for (const raw of ['0', '60001', '-5', '1.5', 'abc', '', null, undefined, '1e3']) {
      expect(parseIntervalMs(raw)).toBeUndefined()
    }
  })
})

describe('DeliveryTracker', () => {
  it('times each message to its last client and counts only messages published in the window', () => {
    const tracker = new DeliveryTracker()
    tracker.deliver({ seq: 1, t: 500 }, 600) // before the window: warm-up
    tracker.open(1_000)
    tracker.deliver({ seq: 2, t: 2_000 }, 3_000) // 1 ms
    tracker.deliver({ seq: 2, t: 2_000 }, 6_000) // 4 ms: the last of two clients
    tracker.deliver({ seq: 3, t: 7_000 }, 9_000)
    tracker.close(10_000)
    tracker.deliver({ seq: 3, t: 7_000 }, 17_000) // after the window closed, still counted: published inside
    tracker.deliver({ seq: 4, t: 11_000 }, 12_000) // published after the window: ignored
    const stats = tracker.stats(2)
    expect(stats).toMatchObject({ messages: 2, completeMessages: 2, deliveries: 4, expectedDeliveries: 4 })
    expect(stats.fanout.p50).toBeCloseTo(4, 1)
    expect(stats.fanout.max).toBeCloseTo(10, 1)
    expect(stats.delivery.count).toBe(4)
    expect(tracker.incomplete(2)).toBe(0)
  })

  it('reports messages a client missed, and sequence gaps nobody received', () => {
    const tracker = new DeliveryTracker()
    tracker.open(0)
    tracker.deliver({ seq: 1, t: 10 }, 20)
    tracker.deliver({ seq: 1, t: 10 }, 30)
    tracker.deliver({ seq: 3, t: 50 }, 60) // one of two clients; seq 2 reached nobody
    const stats = tracker.stats(2)
    expect(stats).toMatchObject({ messages: 3, completeMessages: 1, deliveries: 3, expectedDeliveries: 6 })
    expect(tracker.incomplete(2)).toBe(2)
  })

  it('reads bench messages and rejects anything else', () => {
    expect(parseBenchMessage('{"seq":3,"t":12.5,"pad":"x"}')).toEqual({ seq: 3, t: 12.5 })
    for (const text of ['hello', '{"seq":"3","t":1}', 'null', '{"t":1}']) {
      expect(parseBenchMessage(text)).toBeUndefined()
    }
  })
})

describe('EventStreamParser', () => {
  it('joins data lines, skips comments, and handles CRLF and chunks split anywhere', () => {
    const events: string[] = []
    const parser = new EventStreamParser((data) => events.push(data))
    const stream = ': subscribed\n\ndata: {"seq":1}\n\nid: 7\r\ndata:a\r\ndata: b\r\n\r\ndata: tail'
    for (let i = 0; i < stream.length; i += 3) parser.push(stream.slice(i, i + 3))
    expect(events).toEqual(['{"seq":1}', 'a\nb'])
    parser.push('\n\n')
    expect(events).toEqual(['{"seq":1}', 'a\nb', 'tail'])
  })
})

const latency = (p50: number, p99: number): LatencyStats => ({
  p50,
  p90: p99,
  p99,
  p999: p99,
  max: p99,
  mean: p50,
  count: 10,
})

/** One broadcast run of 100 clients with 10 messages, as the harness would have measured it. */
function measurements(name: string, overrides: Partial<RealtimeMeasurements> = {}): RealtimeMeasurements {
  const scenario = findRealtimeScenario(name)
  if (scenario === undefined) throw new Error(name)
  return {
    scenario,
    core: 'test core',
    url: 'ws://127.0.0.1:1/ws?subscribe=1',
    connections: 100,
    warmupS: 1,
    durationS: 2,
    intervalMs: 200,
    client: 'ws',
    clientVersion: '8',
    connect: {
      opened: 100,
      errors: 0,
      firstError: undefined,
      seconds: 0.5,
      latency: latency(2, 9),
      cpuUs: 50_000,
    },
    window: {
      windowS: 2,
      cpuUs: 100_000,
      maxRssKb: 102_400,
      openAtStart: 100,
      closedDuringRun: 0,
      messages: 10,
      completeMessages: 10,
      deliveries: 1000,
      expectedDeliveries: 1000,
      fanout: latency(5, 40),
      delivery: latency(3, 30),
      malformed: 0,
    },
    serverRssBeforeKb: 60 * 1024,
    serverRssKb: 70 * 1024,
    serverConnectCpuUs: 20_000,
    serverCpu: { cpuUs: 200_000, wallUs: 2_000_000 },
    publish: { published: 12, fanoutMsMean: 1.5, fanoutMsMax: 3, fanoutCpuMsMean: 1.2 },
    serverSnapshot: { webSockets: 100, sseStreams: 0, published: 12, publishing: true },
    listenOverflows: 0,
    openFiles: { server: 20_000, generator: 20_000, needed: 164 },
    warnings: [],
    startedAt: new Date('2026-11-30T12:00:00Z'),
    ...overrides,
  }
}

describe('buildRealtimeReport', () => {
  it('derives rates, memory per connection and CPU shares from the raw figures', () => {
    const report = buildRealtimeReport(measurements('ws-broadcast'))
    expect(report).toMatchObject({
      messagesPerSecond: 500,
      connectRatePerS: 200,
      serverRssKbPerConnection: 102.4,
    })
    expect(report).toMatchObject({
      serverCpuPercent: 10,
      generatorCpuPercent: 5,
      serverCpuUsPerDelivery: 200,
    })
    expect(report).toMatchObject({ latencyP50Ms: 5, latencyP99Ms: 40, serverConnections: 100, errors: 0 })
    expect(renderRealtimeSummary(report)).toContain('500 messages/s')
  })

  it('leaves the delivery figures null for ws-idle', () => {
    const report = buildRealtimeReport(measurements('ws-idle'))
    expect(report).toMatchObject({
      messages: null,
      latencyP99Ms: null,
      intervalMs: null,
      messagesPerSecond: null,
    })
    expect(renderRealtimeSummary(report)).not.toContain('to last client')
  })

  it('warns about missing deliveries, dropped clients and a server that counts differently', () => {
    const base = measurements('sse')
    const report = buildRealtimeReport({
      ...base,
      connect: { ...base.connect, opened: 98, errors: 2, firstError: 'ECONNREFUSED' },
      window: { ...base.window, closedDuringRun: 1, completeMessages: 9, deliveries: 950 },
      serverSnapshot: { webSockets: 0, sseStreams: 90, published: 12, publishing: true },
    })
    expect(report.errors).toBe(3)
    const text = report.warnings.join('\n')
    expect(text).toMatch(/CONNECT ERRORS: 2 of 100 .*ECONNREFUSED/)
    expect(text).toMatch(/1 clients were closed/)
    expect(text).toMatch(/server counts 90 open connections, the generator 97/)
    expect(text).toMatch(/MISSING DELIVERIES: 50 of 1,000/)
  })
})
