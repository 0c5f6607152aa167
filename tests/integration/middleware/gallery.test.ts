import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import type { Example } from '../../../examples/middleware/serve.js'
import { withUrl } from '../../../examples/middleware/serve.js'

const DIR = new URL('../../../examples/middleware/', import.meta.url)
const run = promisify(execFile)
/** Examples that show a 5xx on purpose (a hidden 500, a 503 during maintenance). */
const ANSWERS_5XX = new Set(['error-boundary', 'custom-middleware'])
const names = readdirSync(DIR)
  .filter((file) => file.endsWith('.ts') && file !== 'serve.ts' && file !== 'testing-with-inject.ts')
  .map((file) => file.slice(0, -3))

// sessions-login keeps curl's cookies in /tmp/swiftlet-jar; a run of the suite uses its own file instead.
const jarDir = mkdtempSync(path.join(tmpdir(), 'swiftlet-gallery-'))
const jar = path.join(jarDir, 'jar')
const ownJar = (line: string): string => line.replaceAll('/tmp/swiftlet-jar', jar)

async function load(name: string): Promise<Example> {
  return (await import(fileURLToPath(new URL(`${name}.ts`, DIR)))) as Example
}

describe('examples/middleware (the gallery)', () => {
  afterAll(() => rmSync(jarDir, { recursive: true, force: true }))

  for (const name of names) {
    it(`${name}: answers every curl line its header comment suggests`, async () => {
      const { app, tryIt } = await load(name)
      expect(tryIt.length).toBeGreaterThan(0)
      const { url } = await app.listen({ host: '127.0.0.1', port: 0, signals: false })
      try {
        for (const line of withUrl(tryIt, url.replace(/\/$/, '')).map(ownJar)) {
          const { stdout } = await run('sh', ['-c', line], { timeout: 10_000 })
          expect(stdout, line).toMatch(/HTTP\/1\.1 [1-5]\d\d|^[{[]|\d{3}/)
          if (!ANSWERS_5XX.has(name)) expect(stdout, line).not.toMatch(/HTTP\/1\.1 5\d\d/)
        }
      } finally {
        await app.close()
      }
    })
  }

  it('testing-with-inject: every check passes', async () => {
    const mod = (await import(fileURLToPath(new URL('testing-with-inject.ts', DIR)))) as {
      runChecks: () => Promise<number>
    }
    expect(await mod.runChecks()).toBe(0)
  })
})
