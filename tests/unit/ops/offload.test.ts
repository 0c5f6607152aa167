import { afterEach, describe, expect, it } from 'vitest'
import { createOffloadPool, ERR, isAbortError, isHttpError, type OffloadPool } from '../../../src/index.js'

const TASKS = new URL('../../../examples/offload/tasks.mjs', import.meta.url)

describe('createOffloadPool()', () => {
  let pool: OffloadPool | undefined
  afterEach(async () => {
    await pool?.close()
    pool = undefined
  })

  it('runs a named task of the worker module and returns its result', async () => {
    pool = createOffloadPool({ filename: TASKS, threads: 1 })
    const digest = await pool.run<string>('hash', { text: 'swiftlet', rounds: 3 })
    expect(digest).toMatch(/^[0-9a-f]{64}$/)
    expect(pool.stats()).toMatchObject({ threads: 1, queued: 0, outstanding: 0, completed: 1 })
  })

  it('accepts a path as well as a file: URL', async () => {
    pool = createOffloadPool({ filename: TASKS.pathname, threads: 1 })
    expect(await pool.run<number>('spin', 1)).toBeGreaterThanOrEqual(1)
  })

  it('refuses work beyond its queue with a 503 carrying Retry-After', async () => {
    pool = createOffloadPool({ filename: TASKS, threads: 1, maxQueue: 1, retryAfterS: 3 })
    // One thread plus one queue slot: the third and fourth task are refused, even while the thread starts.
    const results = await Promise.allSettled([0, 1, 2, 3].map(() => pool?.run('spin', 200)))
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected'])
    const refused = results.filter((result) => result.status === 'rejected')
    for (const result of refused) {
      const error = (result as PromiseRejectedResult).reason as unknown
      expect(isHttpError(error)).toBe(true)
      expect(error).toMatchObject({
        status: 503,
        code: ERR.SERVICE_UNAVAILABLE,
        headers: { 'retry-after': '3' },
      })
    }
  })

  it('cancels a queued task when its signal fires, and the running one goes on', async () => {
    pool = createOffloadPool({ filename: TASKS, threads: 1, maxQueue: 4 })
    const running = pool.run<number>('spin', 300)
    const controller = new AbortController()
    const queued = pool.run('spin', 300, { signal: controller.signal })
    controller.abort()
    const error: unknown = await queued.catch((err: unknown) => err)
    expect(isAbortError(error)).toBe(true)
    expect(await running).toBeGreaterThanOrEqual(300)
    expect(pool.stats().queued).toBe(0)
  })

  it('rejects a running task when its signal fires, and the pool keeps working', async () => {
    pool = createOffloadPool({ filename: TASKS, threads: 1 })
    const controller = new AbortController()
    const running = pool.run('spin', 5000, { signal: controller.signal })
    await new Promise((resolve) => setTimeout(resolve, 200))
    controller.abort()
    expect(isAbortError(await running.catch((err: unknown) => err))).toBe(true)
    expect(await pool.run<number>('spin', 5)).toBeGreaterThanOrEqual(5)
  })

  it('rejects at once for a signal that already fired', async () => {
    pool = createOffloadPool({ filename: TASKS, threads: 1 })
    const error: unknown = await pool
      .run('spin', 5, { signal: AbortSignal.abort() })
      .catch((err: unknown) => err)
    expect(isAbortError(error)).toBe(true)
  })

  it('passes a task error through', async () => {
    pool = createOffloadPool({ filename: TASKS, threads: 1 })
    await expect(pool.run('no-such-task', 1)).rejects.toThrow()
  })

  it('checks its sizes', () => {
    expect(() => createOffloadPool({ filename: TASKS, threads: 0 })).toThrow(RangeError)
    expect(() => createOffloadPool({ filename: TASKS, threads: 1, maxQueue: -1 })).toThrow(RangeError)
  })
})
