/**
 * A one-second open-loop run against the raw uWS bench server produces an HDR latency summary. It checks
 * that the pieces work together, never how fast anything is.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const dir = mkdtempSync(join(tmpdir(), 'swiftlet-open-loop-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('npm run loadtest -- --rate', () => {
  it('schedules requests by the clock and reports p50 to p99.9 from the window', async () => {
    const file = join(dir, 'open.json')
    const args = [
      '--import',
      'tsx',
      'bench/loadtest.ts',
      '--server',
      'bench/servers/raw-uws.ts',
      '--scenario',
      'hello',
    ]
    const load = ['--rate', '100', '--connections', '4', '--duration', '1', '--warmup', '0', '--json', file]
    await run(process.execPath, [...args, ...load], { timeout: 60_000 })
    const report = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
    expect(report).toMatchObject({ generator: 'undici open loop', rate: 100, scenario: 'hello', errors: 0 })
    expect(report.responses2xx).toBeGreaterThan(0)
    for (const key of ['latencyP50Ms', 'latencyP90Ms', 'latencyP99Ms', 'latencyP999Ms', 'latencyMaxMs']) {
      expect(report[key]).toBeGreaterThan(0)
    }
    expect(report.latencyP999Ms).toBeGreaterThanOrEqual(report.latencyP50Ms as number)
  })
})
