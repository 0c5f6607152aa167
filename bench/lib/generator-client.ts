/**
 * The harness's side of the generator protocol: starts bench/lib/generator.ts as a child, relays its
 * progress, and turns a crash, a `failed` message or a hang into a {@link GeneratorError}.
 */
import { fileURLToPath } from 'node:url'
import { describeExit, spawnNodeScript } from './children.js'
import type { ManagedChild } from './children.js'
import type { GeneratorConfig, GeneratorMessage, Phase, TimedRunSummary } from './protocol.js'

/** The generator crashed, reported a failure, or overran its deadline. */
export class GeneratorError extends Error {}

/** Progress callback: one call per second per phase. */
export type ProgressHandler = (phase: Phase, elapsedS: number, responses: number, rps: number) => void

/** Counts from the warm-up, shown so the user sees the server answered before the timed window. */
export type WarmupInfo = Omit<Extract<GeneratorMessage, { type: 'warmup-done' }>, 'type'>

/** A running generator. */
export interface GeneratorRun {
  child: ManagedChild
  /** Sends the configuration: the warm-up starts. Separate from spawning so limits can be checked first. */
  begin(): void
  warmupDone: Promise<WarmupInfo>
  /** Starts the timed run; call after taking the baselines (server CPU, /stats reset). */
  go(): void
  result: Promise<{ summary: TimedRunSummary; autocannonVersion: string }>
}

/** A promise with its resolve and reject, for a step of a generator child answered over IPC. */
export interface Deferred<T> {
  promise: Promise<T>
  resolve: (value: T) => void
  reject: (error: Error) => void
}

/** A {@link Deferred} whose rejection never goes unhandled (a failure rejects every pending step). */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void
  let reject!: (error: Error) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  // A failure rejects every pending step; whoever is not awaiting one must not crash the process.
  promise.catch(() => {})
  return { promise, resolve, reject }
}

const GENERATOR_SCRIPT = fileURLToPath(new URL('./generator.ts', import.meta.url))
const OPEN_LOOP_SCRIPT = fileURLToPath(new URL('./open-loop.ts', import.meta.url))
const WRK_SCRIPT = fileURLToPath(new URL('./wrk-generator.ts', import.meta.url))

type RunResult = { summary: TimedRunSummary; autocannonVersion: string }

/** Routes the generator's messages to the progress callback and the pending steps. */
function dispatch(
  child: ManagedChild,
  onProgress: ProgressHandler,
  steps: { warmup: Deferred<WarmupInfo>; result: Deferred<RunResult>; fail: (message: string) => void },
): void {
  let warmedUp = false
  child.proc.on('message', (message: GeneratorMessage) => {
    if (message.type === 'progress') {
      // A last warm-up tick can race the end of the warm-up; printed after "warm-up done" it would confuse.
      if (warmedUp && message.phase === 'warmup') return
      onProgress(message.phase, message.elapsedS, message.responses, message.rps)
    } else if (message.type === 'warmup-done') {
      warmedUp = true
      steps.warmup.resolve(message)
    } else if (message.type === 'result') {
      steps.result.resolve(message)
    } else {
      steps.fail(`the load generator failed: ${message.message}`)
    }
  })
}

/** Spawns the generator; it waits for {@link GeneratorRun.begin}. */
export function startGenerator(
  config: GeneratorConfig,
  cwd: string,
  onProgress: ProgressHandler,
  onLine: (line: string) => void,
): GeneratorRun {
  const script =
    config.generator === 'wrk'
      ? WRK_SCRIPT
      : config.generator === 'open'
        ? OPEN_LOOP_SCRIPT
        : GENERATOR_SCRIPT
  const child = spawnNodeScript(script, [], { name: 'generator', cwd, env: process.env, onLine })
  const warmup = deferred<WarmupInfo>()
  const result = deferred<RunResult>()
  const fail = (message: string) => {
    const error = new GeneratorError(message)
    warmup.reject(error)
    result.reject(error)
  }
  dispatch(child, onProgress, { warmup, result, fail })
  void child.exited.then((info) => {
    // Rejecting an already settled promise is a no-op, so a normal exit after `result` changes nothing.
    const output = child.stderrTail() || '(no output)'
    fail(`the load generator exited unexpectedly (${describeExit(info)}).\n${output}`)
  })
  const begin = () => {
    // Bounded in time whatever happens: warm-up + run + one request timeout + room for start-up and tsx.
    const deadlineMs = (config.warmupS + config.durationS + config.timeoutS + 60) * 1000
    const watchdog = setTimeout(() => {
      fail(`the load generator did not finish within ${deadlineMs / 1000} s; stopped it`)
      void child.stop(1000)
    }, deadlineMs)
    void result.promise.finally(() => clearTimeout(watchdog)).catch(() => {})
    if (!child.hasExited()) child.proc.send({ type: 'start', config })
  }
  const go = () => {
    if (!child.hasExited()) child.proc.send({ type: 'go' })
  }
  return { child, begin, go, warmupDone: warmup.promise, result: result.promise }
}
