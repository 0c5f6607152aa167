/**
 * Smoke runs of the real-time load scenarios through the CLI: 50 clients, a 1 s warm-up and a 2 s window
 * each, against the real bench servers (uWS on 127.0.0.1, port 0). They assert what a user reads in the JSON
 * (every client connected and counted by the server, every message delivered to every client, the figures
 * present), never how fast anything is: speed lives in docs/realtime.md.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const dir = mkdtempSync(join(tmpdir(), 'swiftlet-realtime-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Runs `npm run loadtest` with 50 clients; returns the --json report and stdout. */
async function loadtest(scenario: string, extra: string[] = []) {
  const file = join(dir, `${scenario}-${extra.length}.json`)
  const args = ['--import', 'tsx', 'bench/loadtest.ts', '--scenario', scenario, '--connections', '50']
  const { stdout } = await run(
    process.execPath,
    [...args, '--warmup', '1', '--duration', '2', '--json', file, ...extra],
    { timeout: 90_000 },
  )
  return { report: JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>, stdout }
}

/** What every real-time run must show: all clients open on both sides, measured, no errors. */
function expectAllConnected(report: Record<string, unknown>): void {
  expect(report).toMatchObject({
    connections: 50,
    connected: 50,
    connectErrors: 0,
    closedDuringRun: 0,
    errors: 0,
  })
  expect(report.serverConnections).toBe(50)
  expect(report.serverRssMb).toBeGreaterThan(0)
  expect(report.serverCpuPercent).not.toBeNull()
  expect(report.generatorMaxRssMb).toBeGreaterThan(0)
  expect(report.connectRatePerS).toBeGreaterThan(0)
}

/** What a broadcast run must show: every message published in the window reached all 50 clients. */
function expectAllDelivered(report: Record<string, unknown>): void {
  expect(report.messages).toBeGreaterThan(0)
  expect(report.completeMessages).toBe(report.messages)
  expect(report.deliveries).toBe((report.messages as number) * 50)
  expect(report.expectedDeliveries).toBe(report.deliveries)
  expect(report.messagesPerSecond).toBeGreaterThan(0)
  expect(report.latencyP99Ms).toBeGreaterThan(0)
  expect(report.latencyP99Ms).toBeGreaterThanOrEqual(report.latencyP50Ms as number)
  expect(report.deliveryP50Ms).toBeGreaterThan(0)
  expect(report.serverFanoutMsMean).toBeGreaterThan(0)
}

describe('npm run loadtest real-time scenarios (50 clients)', () => {
  it('ws-idle holds 50 WebSockets and reports server RSS and CPU', { timeout: 120_000 }, async () => {
    const { report, stdout } = await loadtest('ws-idle')
    expect(report).toMatchObject({ scenario: 'ws-idle', generator: 'ws', intervalMs: null, messages: null })
    expectAllConnected(report)
    expect(stdout).toContain('server memory')
  })

  it('ws-broadcast delivers every message to all 50 subscribers', { timeout: 120_000 }, async () => {
    const { report, stdout } = await loadtest('ws-broadcast', ['--interval', '100'])
    expect(report).toMatchObject({ scenario: 'ws-broadcast', generator: 'ws', intervalMs: 100 })
    expectAllConnected(report)
    expectAllDelivered(report)
    expect(stdout).toContain('to last client')
  })

  it('sse delivers every event to all 50 subscribers', { timeout: 120_000 }, async () => {
    const { report } = await loadtest('sse', ['--interval', '100'])
    expect(report).toMatchObject({ scenario: 'sse', generator: 'node:http', intervalMs: 100 })
    expectAllConnected(report)
    expectAllDelivered(report)
  })

  it('runs the same broadcast against the raw uWS baseline', { timeout: 120_000 }, async () => {
    const { report } = await loadtest('ws-broadcast', [
      '--interval',
      '100',
      '--server',
      'bench/servers/raw-uws.ts',
    ])
    expect(report.core).toBe('raw uWebSockets.js')
    expectAllConnected(report)
    expectAllDelivered(report)
  })
})
