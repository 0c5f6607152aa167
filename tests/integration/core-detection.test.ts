import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../../src/index.js'
import { FixtureProcess, type ChildLine } from './helpers/child.js'
import { captureLogs, LEVEL } from './helpers/server.js'

const STARTUP_MS = 20_000
const isEvent =
  (name: string) =>
  (line: ChildLine): boolean =>
    line.event === name

describe('core detection', () => {
  let fixture: FixtureProcess | undefined

  afterEach(async () => {
    await fixture?.stop()
    fixture = undefined
  })

  it('logs "core: uWebSockets.js native" when the native binary loads', async () => {
    const { logger, lines } = captureLogs('info')
    const app = createApp({ logger })
    try {
      const info = await app.listen({ port: 0, signals: false })
      expect(info.core).toBe('uWebSockets.js native')
      expect(lines.some((l) => l.level === LEVEL.info && l.msg === 'core: uWebSockets.js native')).toBe(true)
    } finally {
      await app.close()
    }
  })

  it('refuses to listen on the JavaScript imitation (UWS_USE_FALLBACK=1) with ERR_CORE_FALLBACK and a clear message', async () => {
    fixture = new FixtureProcess('core-app.ts', [], { UWS_USE_FALLBACK: '1' })
    const failed = await fixture.waitForLine(isEvent('listen-failed'), STARTUP_MS)
    expect(failed.code).toBe('ERR_CORE_FALLBACK')
    expect(failed.message).toMatch(/JavaScript imitation/)
    expect(failed.message).toMatch(/allowFallback: true/)
    // pino may flush its line after the fixture's own report: wait for it rather than race it.
    const refusal = await fixture.waitForLine(
      (l) => l.level === LEVEL.error && /refusing to start/.test(String(l.msg)),
      STARTUP_MS,
    )
    expect(refusal.msg).toMatch(/JavaScript imitation/)
    expect(fixture.lines.some(isEvent('listening'))).toBe(false)
    expect((await fixture.waitForExit(5000)).code).toBe(0)
  })

  describe('with listen({ allowFallback: true }) when the native binary is unavailable', () => {
    it('starts on the node:http core instead of the imitation and logs a warning', async () => {
      fixture = new FixtureProcess('core-app.ts', ['--allow-fallback'], { UWS_USE_FALLBACK: '1' })
      const listening = await fixture.waitForLine(isEvent('listening'), STARTUP_MS)
      expect(listening.core).toBe('node:http (uWebSockets.js unavailable)')
      const warning = await fixture.waitForLine(
        (l) => l.level === LEVEL.warn && /native binary/.test(String(l.msg)),
        STARTUP_MS,
      )
      expect(warning?.msg).toMatch(/do not benchmark/)
      expect(fixture.lines.some((l) => l.msg === 'core: uWebSockets.js native')).toBe(false)
    })

    it('serves GET /health with 200 and closes cleanly', async () => {
      fixture = new FixtureProcess('core-app.ts', ['--allow-fallback'], { UWS_USE_FALLBACK: '1' })
      const health = await fixture.waitForLine(isEvent('health'), STARTUP_MS)
      const closed = await fixture.waitForLine(
        (l) => isEvent('closed')(l) || isEvent('close-failed')(l),
        10_000,
      )
      expect({ status: health.status, body: health.body }).toEqual({ status: 200, body: '{"status":"ok"}' })
      expect(closed).toEqual({ event: 'closed' })
    })
  })
})
