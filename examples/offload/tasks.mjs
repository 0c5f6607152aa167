/**
 * The worker module of the offload example: each named export is a task that `pool.run(name, payload)`
 * runs in a worker thread. Plain JavaScript on purpose: worker threads load their file with Node's own
 * loader (no tsx, no test-runner transform), so a `.mjs` worker runs the same under `tsx`, vitest and a
 * compiled `dist/`. Tasks are plain functions of their payload: no Context, no closures over the app.
 */
import { createHash } from 'node:crypto'
import { performance } from 'node:perf_hooks'

/**
 * Iterated SHA-256 of `text`: pure CPU, a few µs per round.
 * @param {{ text: string, rounds: number }} payload
 * @returns {string} the hex digest
 */
export function hash({ text, rounds }) {
  let digest = createHash('sha256').update(text).digest()
  for (let i = 1; i < rounds; i++) digest = createHash('sha256').update(digest).digest()
  return digest.toString('hex')
}

/**
 * Busy-waits (a stand-in for any CPU-bound computation).
 * @param {number} ms - How long to keep the CPU busy, in ms.
 * @returns {number} the ms spent
 */
export function spin(ms) {
  const start = performance.now()
  while (performance.now() - start < ms) {
    // burn CPU
  }
  return performance.now() - start
}
