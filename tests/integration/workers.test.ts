import http from 'node:http'
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, ERR } from '../../src/index.js'
import { FixtureProcess, type ChildLine } from './helpers/child.js'
import { waitUntil } from './helpers/server.js'

// Each fixture is three Node processes compiling the sources with tsx: starting one can take 15 s on a
// loaded 2-core machine. The bounds below catch hangs; nothing here is a speed assertion.
const START_MS = 60_000
const TEST_MS = 120_000

interface Answer {
  status: number
  body: Record<string, unknown>
}

/** GET on a new connection (`agent: false` sends `Connection: close`): the kernel may pick either worker. */
function getFresh(port: number, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: 20_000 }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (text += chunk))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }),
      )
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)))
    req.on('error', reject)
  })
}

/** Sends `count` requests to /pid one connection each; returns the set of answering pids. */
async function answeringPids(port: number, count: number): Promise<Set<number>> {
  const answers = await Promise.all(Array.from({ length: count }, () => getFresh(port, '/pid')))
  for (const answer of answers) expect(answer.status).toBe(200)
  return new Set(answers.map((a) => a.body.pid as number))
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const isPrimaryListening = (l: ChildLine): boolean => l.event === 'listening' && l.workers !== undefined
const isPrimaryLog = (l: ChildLine): boolean => typeof l.msg === 'string' && /with 2 workers/.test(l.msg)

/**
 * Waits until `count` lines match. pino writes asynchronously and a child's last output may arrive after its
 * exit event, so lines are awaited, never assumed (this also works after the fixture exited).
 */
async function linesMatching(fixture: FixtureProcess, match: (l: ChildLine) => boolean, count: number) {
  const found = (): ChildLine[] => fixture.lines.filter(match)
  await waitUntil(() => found().length >= count, 10_000, `${count} matching fixture lines`)
  return found()
}

/** Starts the fixture and resolves with its port and worker pids once the primary's listen() resolved. */
async function startFixture(
  args: string[],
): Promise<{ fixture: FixtureProcess; port: number; pids: number[] }> {
  const fixture = new FixtureProcess('workers-app.ts', args)
  const listening = await fixture.waitForLine(isPrimaryListening, START_MS)
  await linesMatching(fixture, isPrimaryLog, 1)
  return { fixture, port: listening.port as number, pids: listening.pids as number[] }
}

/**
 * SIGTERM to the primary while `count` slow requests are in flight: every request must complete, every
 * process exit 0 (checked through the primary's exit code and its `worker exited` lines).
 */
async function drainsOnSigterm(fixture: FixtureProcess, port: number, workerPids: number[], count: number) {
  const before = fixture.lines.filter((l) => l.event === 'handler-start').length
  const pending = Array.from({ length: count }, () => getFresh(port, '/slow'))
  await fixture.waitForLine(
    () => fixture.lines.filter((l) => l.event === 'handler-start').length >= before + count,
    20_000,
  )
  const started = fixture.lines.filter((l) => l.event === 'handler-start').slice(before)
  // Both workers hold in-flight requests when the signal arrives.
  expect(new Set(started.map((l) => l.pid))).toEqual(new Set(workerPids))
  fixture.kill('SIGTERM')

  const answers = await Promise.all(pending)
  for (const answer of answers) expect(answer).toMatchObject({ status: 200, body: { done: true } })
  expect(await fixture.waitForExit(20_000)).toEqual({ code: 0, signal: null })
  const exits = await linesMatching(fixture, (l) => l.msg === 'worker exited', workerPids.length)
  expect(exits.map((l) => [l.workerPid, l.code]).sort()).toEqual(workerPids.map((pid) => [pid, 0]).sort())
  const hooks = await linesMatching(fixture, (l) => l.event === 'shutdown-hook', workerPids.length)
  expect(hooks.map((l) => l.pid).sort()).toEqual([...workerPids].sort())
  await waitUntil(() => workerPids.every((pid) => !processExists(pid)), 5000, 'the workers to be gone')
}

// One fixture for the three uWS tests, in this order (the last one shuts it down): starting it is the slow
// part.
describe('listen({ workers: 2 }) on the uWS core', () => {
  let fixture: FixtureProcess
  let port: number
  let pids: number[]

  beforeAll(async () => {
    ;({ fixture, port, pids } = await startFixture([]))
  }, START_MS)
  afterAll(() => fixture.stop())

  it(
    'serves one port from two processes and tags every worker log line with its worker number',
    async () => {
      expect(pids).toHaveLength(2)
      expect(pids).not.toContain(process.pid)
      expect(await answeringPids(port, 40)).toEqual(new Set(pids))

      // Code guarded by isPrimary() ran once; startup hooks ran in each worker, not in the primary.
      expect(fixture.lines.filter((l) => l.event === 'primary-once')).toHaveLength(1)
      expect(
        fixture.lines
          .filter((l) => l.event === 'startup-hook')
          .map((l) => l.pid)
          .sort(),
      ).toEqual([...pids].sort())
      for (const [index, pid] of pids.entries()) {
        const completed = (l: ChildLine): boolean => l.pid === pid && l.msg === 'request completed'
        await linesMatching(fixture, completed, 1)
        const tagged = fixture.lines.filter((l) => l.pid === pid && typeof l.msg === 'string')
        expect(tagged.length).toBeGreaterThan(0)
        // Every pino line of a worker carries its number, 1..n in fork order.
        for (const line of tagged) expect(line.worker).toBe(index + 1)
        expect(tagged.some((l) => l.msg === 'request completed' && l.path === '/pid')).toBe(true)
      }
      const primaryLine = fixture.lines.find(isPrimaryLog)
      expect(primaryLine).toMatchObject({ workers: 2, pids, core: 'uWebSockets.js native' })
      expect(primaryLine?.worker).toBeUndefined()
    },
    TEST_MS,
  )

  it(
    'restarts a worker that crashed while the other keeps serving the port',
    async () => {
      const crashed = (await getFresh(port, '/crash')).body.pid as number
      const survivor = pids.find((pid) => pid !== crashed) as number
      const exitLine = await fixture.waitForLine(
        (l) => l.msg === 'worker exited unexpectedly; restarting',
        10_000,
      )
      expect(exitLine).toMatchObject({ level: 50, role: 'primary', workerPid: crashed, signal: 'SIGKILL' })
      // Between the crash and the restart, the surviving worker answers everything.
      expect(await answeringPids(port, 10)).toEqual(new Set([survivor]))

      const restarted = await fixture.waitForLine((l) => l.msg === 'worker restarted', START_MS)
      expect(restarted.worker).toBe(exitLine.worker)
      const fresh = restarted.workerPid as number
      expect(processExists(fresh)).toBe(true)
      expect(await answeringPids(port, 40)).toEqual(new Set([survivor, fresh]))
      pids = [survivor, fresh]
    },
    TEST_MS,
  )

  it(
    'drains every worker on SIGTERM to the primary: slow requests complete and all processes exit 0',
    async () => {
      await drainsOnSigterm(fixture, port, pids, 16)
    },
    TEST_MS,
  )
})

describe('listen({ workers: 2 }) on the node:http core', () => {
  let fixture: FixtureProcess | undefined
  afterAll(() => fixture?.stop())

  it(
    'serves one port from both workers through cluster and drains both on SIGTERM',
    async () => {
      const started = await startFixture(['--core', 'node'])
      fixture = started.fixture
      const primaryLine = fixture.lines.find(isPrimaryLog)
      expect(primaryLine).toMatchObject({ core: 'node:http' })
      expect(await answeringPids(started.port, 20)).toEqual(new Set(started.pids))
      await drainsOnSigterm(fixture, started.port, started.pids, 8)
    },
    TEST_MS,
  )
})

describe('listen({ workers: 2 }) when the primary dies', () => {
  let fixture: FixtureProcess | undefined
  afterAll(() => fixture?.stop())

  it(
    'lets each worker finish its in-flight requests, run its shutdown hooks and exit',
    async () => {
      const started = await startFixture([])
      fixture = started.fixture
      const primary = fixture.lines.find(isPrimaryListening)?.pid as number
      const pending = Array.from({ length: 8 }, () => getFresh(started.port, '/slow'))
      await fixture.waitForLine(
        () => fixture?.lines.filter((l) => l.event === 'handler-start').length === 8,
        20_000,
      )
      process.kill(primary, 'SIGKILL') // no goodbye: the workers only see their IPC channel close

      const answers = await Promise.all(pending)
      for (const answer of answers) expect(answer).toMatchObject({ status: 200, body: { done: true } })
      await waitUntil(() => started.pids.every((pid) => !processExists(pid)), 15_000, 'the workers to exit')
      const wentAway = (l: ChildLine): boolean => typeof l.msg === 'string' && /primary went away/.test(l.msg)
      const goneAway = await linesMatching(fixture, wentAway, 2)
      expect(goneAway.map((l) => l.pid).sort()).toEqual([...started.pids].sort())
      const hooks = await linesMatching(fixture, (l) => l.event === 'shutdown-hook', 2)
      expect(hooks.map((l) => l.pid).sort()).toEqual([...started.pids].sort())
    },
    TEST_MS,
  )
})

describe('listen({ workers }) failures', () => {
  it(
    'rejects with the worker startup error, and the primary exits 1 with no worker left behind',
    async () => {
      const fixture = new FixtureProcess('workers-app.ts', ['--fail-startup'])
      try {
        const exit = await fixture.waitForExit(START_MS)
        expect(exit.code).toBe(1)
        const failure = /worker [12]: database unreachable/
        await waitUntil(() => failure.test(fixture.stderr), 10_000, 'the startup error on stderr')
        const started = await linesMatching(fixture, (l) => l.event === 'worker-start', 1)
        const workerPids = started.map((l) => l.pid as number)
        expect(fixture.lines.some((l) => l.event === 'listening')).toBe(false)
        await waitUntil(
          () => workerPids.every((pid) => !processExists(pid)),
          10_000,
          'the workers to be gone',
        )
      } finally {
        await fixture.stop()
      }
    },
    TEST_MS,
  )

  it('rejects with ERR_LISTEN_FAILED on a busy port before forking anything', async () => {
    const holder = net.createServer()
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
    const busy = (holder.address() as net.AddressInfo).port
    try {
      const app = createApp({ logger: false })
      await expect(app.listen({ port: busy, workers: 2, signals: false })).rejects.toMatchObject({
        code: ERR.LISTEN_FAILED,
        message: expect.stringMatching(/EADDRINUSE/),
      })
      expect(app.address).toBeUndefined()
    } finally {
      holder.close()
    }
  })

  it('rejects a worker count that is not a positive integer or auto with a RangeError', async () => {
    for (const workers of [0, 1.5, -1, 10_000]) {
      await expect(createApp({ logger: false }).listen({ port: 0, workers, signals: false })).rejects.toThrow(
        RangeError,
      )
    }
  })
})
