import { afterEach, describe, expect, it } from 'vitest'
import { createApp, type ListenOptions } from '../../src/index.js'
import { testCertificate } from '../conformance/certs.js'
import { FixtureProcess, type ChildLine } from './helpers/child.js'
import { captureLogs, LEVEL } from './helpers/server.js'

const STARTUP_MS = 20_000
/** The listen-options fixture of the conformance suite (FixtureProcess resolves names from fixtures/). */
const LISTEN_APP = '../../conformance/fixtures/listen-app.ts'
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
    expect(failed.message).toMatch(/JavaScript imitation \(UWS_USE_FALLBACK is set\)/)
    expect(failed.message).toMatch(/core: 'node'/)
    expect(failed.message).toMatch(/core: 'auto'/)
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

    it('behaves as core: "auto" (allowFallback is its alias)', async () => {
      fixture = new FixtureProcess(LISTEN_APP, [JSON.stringify({ core: 'auto' })], { UWS_USE_FALLBACK: '1' })
      const listening = await fixture.waitForLine(isEvent('listening'), STARTUP_MS)
      expect(listening.core).toBe('node:http (uWebSockets.js unavailable)')
      const warning = await fixture.waitForLine((l) => l.level === LEVEL.warn, STARTUP_MS)
      expect(warning.msg).toMatch(/did not load \(UWS_USE_FALLBACK is set\), do not benchmark this as uWS/)
      expect(warning.reason).toBe('UWS_USE_FALLBACK is set')
      const health = await fixture.waitForLine(isEvent('health'), STARTUP_MS)
      expect({ status: health.status, body: health.body }).toEqual({ status: 200, body: '{"status":"ok"}' })
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

describe('listen({ core }) with tls and http2', () => {
  const listenWith = async (options: ListenOptions) => {
    const { logger, lines } = captureLogs('info')
    const app = createApp({ logger })
    try {
      const info = await app.listen({ port: 0, signals: false, ...options })
      return { info, lines, error: undefined }
    } catch (error) {
      return { info: undefined, lines, error: error as Error & { code?: string } }
    } finally {
      await app.close()
    }
  }

  it("uses uWS natively under core: 'auto'", async () => {
    const { info } = await listenWith({ core: 'auto' })
    expect(info?.core).toBe('uWebSockets.js native')
  })

  it("refuses tls on core: 'uws' with ERR_CORE_UNSUPPORTED, naming core 'node' and 'auto'", async () => {
    const { key, cert } = await testCertificate()
    const { error } = await listenWith({ core: 'uws', tls: { key, cert } })
    expect(error?.code).toBe('ERR_CORE_UNSUPPORTED')
    expect(error?.message).toMatch(/core: 'node'.*core: 'auto'/)
  })

  it('refuses http2 without tls with ERR_CORE_UNSUPPORTED (no h2c)', async () => {
    const { error } = await listenWith({ core: 'node', http2: true })
    expect(error?.code).toBe('ERR_CORE_UNSUPPORTED')
    expect(error?.message).toMatch(/needs tls/)
  })

  it("serves tls on node:https under core: 'auto', with a warning saying why", async () => {
    const { key, cert } = await testCertificate()
    const { info, lines } = await listenWith({ core: 'auto', tls: { key, cert } })
    expect(info?.core).toBe('node:https')
    expect(info?.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    const warning = lines.find((l) => l.level === LEVEL.warn)
    expect(warning?.msg).toMatch(
      /^core: node:https; tls\/http2 was asked for and the uWebSockets\.js build has no TLS/,
    )
  })

  it('warns that the node core serves no WebSockets when the app has app.ws() routes', async () => {
    const { logger, lines } = captureLogs('info')
    const app = createApp({ logger })
    app.ws('/live', { open: () => undefined })
    try {
      await app.listen({ port: 0, signals: false, core: 'node' })
      const warning = lines.find((l) => l.level === LEVEL.warn)
      expect(warning?.msg).toMatch(/node core does not serve WebSockets/)
    } finally {
      await app.close()
    }
  })

  it('serves tls on node:https when no core is named, and http2 on node:http2', async () => {
    const { key, cert } = await testCertificate()
    expect((await listenWith({ tls: { key, cert } })).info?.core).toBe('node:https')
    expect((await listenWith({ tls: { key, cert }, http2: true })).info?.core).toBe('node:http2')
  })
})
