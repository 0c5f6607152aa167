/**
 * Starts the server under test (by default examples/api/main.ts) and waits for its IPC announcement
 * `{ type: 'listening', port, core }`.
 */
import { describeExit, spawnNodeScript } from './children.js'
import type { ManagedChild } from './children.js'
import { bundleScript, removeBundle } from './bundle.js'

/** A started server. */
export interface StartedServer {
  child: ManagedChild
  port: number
  core: string
}

/** The server could not be started; the message says why, with its stderr. */
export class ServerStartError extends Error {}

/** Options for {@link startServer}. */
export interface StartServerOptions {
  script: string
  cwd: string
  ioDelayMs: number
  onLine: (line: string) => void
  /** First start includes tsx compiling the sources, so this is generous. */
  timeoutMs?: number
  /** Worker processes for bench/servers/swiftlet.ts (passed as WORKERS); undefined: one process. */
  workers?: number
}

interface ListeningMessage {
  type: 'listening'
  port: number
  core: string
}

function isListening(message: unknown): message is ListeningMessage {
  if (typeof message !== 'object' || message === null) return false
  const m = message as Record<string, unknown>
  return m.type === 'listening' && typeof m.port === 'number' && m.port > 0 && typeof m.core === 'string'
}

/** Resolves with the announced port and core, or rejects if the child exits or stays silent. */
function waitForListening(child: ManagedChild, script: string, timeoutMs: number): Promise<ListeningMessage> {
  return new Promise<ListeningMessage>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new ServerStartError(`${script} did not report 'listening' within ${timeoutMs / 1000} s`))
    }, timeoutMs)
    child.proc.on('message', (message: unknown) => {
      if (!isListening(message)) return
      clearTimeout(timer)
      resolve(message)
    })
    void child.exited.then((info) => {
      clearTimeout(timer)
      const output = child.stderrTail() || '(no output)'
      reject(new ServerStartError(`${script} exited before listening (${describeExit(info)}).\n${output}`))
    })
  })
}

/** Starts the server and resolves once it listens; throws {@link ServerStartError} otherwise. */
export async function startServer(options: StartServerOptions): Promise<StartedServer> {
  // The servers of bench/servers/ run as bundled JavaScript under plain node (bench/lib/bundle.ts): no
  // loader thread or transform in the process measured. Other scripts (the example API forks a .ts
  // upstream) keep tsx.
  const bundled = /(^|\/)bench\/servers\/[^/]+\.ts$/.test(options.script)
  const entry = bundled ? await bundleScript(options.script, options.cwd) : options.script
  const child = spawnNodeScript(entry, [], {
    loader: bundled ? 'none' : 'tsx',
    name: 'server',
    cwd: options.cwd,
    // PORT 0: let the kernel pick a free port, so a leftover server never collides with this run.
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      IO_DELAY_MS: String(options.ioDelayMs),
      ...(options.workers === undefined ? {} : { WORKERS: String(options.workers) }),
    },
    onLine: options.onLine,
  })
  // Each run bundles afresh: the file is of no use once its server exited.
  if (bundled) void child.exited.then(() => removeBundle(entry))
  try {
    const { port, core } = await waitForListening(child, options.script, options.timeoutMs ?? 30_000)
    return { child, port, core }
  } catch (error) {
    await child.stop()
    throw error
  }
}
