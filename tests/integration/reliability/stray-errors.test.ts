import { afterEach, describe, expect, it } from 'vitest'
import { FixtureProcess } from '../helpers/child.js'

const ERROR = 50

describe('unhandled rejections and uncaught exceptions from user code (child process)', () => {
  let fixture: FixtureProcess | undefined

  afterEach(async () => {
    await fixture?.stop()
    fixture = undefined
  })

  async function start(mode: string): Promise<string> {
    fixture = new FixtureProcess('stray-errors-app.ts', [mode])
    const listening = await fixture.waitForLine((l) => l.event === 'listening', 20_000)
    return `http://127.0.0.1:${String(listening.port)}`
  }

  it("by default ('log') logs a never-awaited rejection and a throwing timer at error level, and keeps serving", async () => {
    const url = await start('log')
    expect((await fetch(`${url}/fire-and-forget`)).status).toBe(200)
    const rejection = await fixture!.waitForLine((l) => l.msg === 'unhandled rejection; still serving', 5000)
    expect(rejection).toMatchObject({ level: ERROR, err: { message: 'background job failed' } })

    expect((await fetch(`${url}/timer-throws`)).status).toBe(200)
    const exception = await fixture!.waitForLine((l) => l.msg === 'uncaught exception; still serving', 5000)
    expect(exception).toMatchObject({ level: ERROR, err: { message: 'timer callback failed' } })

    const health = await fetch(`${url}/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: 'ok' })
    expect(fixture!.exit).toBeUndefined()
  })

  it("with processErrors: 'exit' logs the error, shuts down gracefully and exits with code 1", async () => {
    const url = await start('exit')
    // The request that started the rejection still gets its whole answer before the process goes.
    const res = await fetch(`${url}/fire-and-forget`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ accepted: true })
    const exit = await fixture!.waitForExit(10_000)
    expect(exit).toEqual({ code: 1, signal: null })
    const logged = fixture!.lines.find((l) => l.msg === 'unhandled rejection; shutting down')
    expect(logged).toMatchObject({ level: ERROR, err: { message: 'background job failed' } })
  })

  it("with processErrors: false leaves Node's default: the rejection ends the process", async () => {
    const url = await start('false')
    await fetch(`${url}/fire-and-forget`).catch(() => undefined)
    const exit = await fixture!.waitForExit(10_000)
    expect(exit.code).not.toBe(0)
    expect(fixture!.stderr).toMatch(/background job failed/)
  })
})
