/**
 * The harness's side of the real-time generator (ws-generator.ts): spawns it, relays its progress, and turns
 * a crash, a `failed` message or a hang into a {@link GeneratorError}, as generator-client.ts does for HTTP.
 */
import { fileURLToPath } from 'node:url'
import { describeExit, spawnNodeScript } from './children.js'
import type { ManagedChild } from './children.js'
import { GeneratorError } from './generator-client.js'
import type {
  ConnectSummary,
  RealtimeConfig,
  RealtimeGeneratorMessage,
  RealtimeParentMessage,
} from './ws-protocol.js'
import { deferred } from './generator-client.js'

const SCRIPT = fileURLToPath(new URL('./ws-generator.ts', import.meta.url))

/** The generator's final account. */
export type RealtimeResult = Extract<RealtimeGeneratorMessage, { type: 'result' }>

/** Progress callback: one call per second. */
export type RealtimeProgress = (
  phase: 'connect' | 'run',
  elapsedS: number,
  open: number,
  deliveries: number,
) => void

/** A running real-time generator. */
export interface RealtimeGenerator {
  child: ManagedChild
  /** Sends the configuration: the clients start connecting. */
  begin(config: RealtimeConfig, deadlineS: number): void
  connected: Promise<ConnectSummary>
  /** Opens (`go`) and closes (`stop`) the window. */
  send(message: RealtimeParentMessage): void
  result: Promise<RealtimeResult>
}

/** Spawns the generator; it waits for {@link RealtimeGenerator.begin}. */
export function startRealtimeGenerator(
  cwd: string,
  onProgress: RealtimeProgress,
  onLine: (line: string) => void,
): RealtimeGenerator {
  const child = spawnNodeScript(SCRIPT, [], { name: 'generator', cwd, env: process.env, onLine })
  const connected = deferred<ConnectSummary>()
  const result = deferred<RealtimeResult>()
  const fail = (message: string) => {
    connected.reject(new GeneratorError(message))
    result.reject(new GeneratorError(message))
  }
  child.proc.on('message', (message: RealtimeGeneratorMessage) => {
    if (message.type === 'progress')
      onProgress(message.phase, message.elapsedS, message.open, message.deliveries)
    else if (message.type === 'connected') connected.resolve(message)
    else if (message.type === 'result') result.resolve(message)
    else fail(`the real-time generator failed: ${message.message}`)
  })
  void child.exited.then((info) => {
    fail(
      `the real-time generator exited unexpectedly (${describeExit(info)}).\n${child.stderrTail() || '(no output)'}`,
    )
  })
  const send = (message: RealtimeParentMessage) => {
    if (!child.hasExited()) child.proc.send(message)
  }
  const begin = (config: RealtimeConfig, deadlineS: number) => {
    const watchdog = setTimeout(() => {
      fail(`the real-time generator did not finish within ${deadlineS} s; stopped it`)
      void child.stop(1000)
    }, deadlineS * 1000)
    void result.promise.finally(() => clearTimeout(watchdog)).catch(() => {})
    send({ type: 'start', config })
  }
  return { child, begin, connected: connected.promise, send, result: result.promise }
}
