/**
 * Child processes of the harness (the server under test and the load generator). Both run as
 * `node --import tsx SCRIPT` behind a tiny `sh` wrapper that first raises the soft open-files limit to the
 * hard one: Node cannot call setrlimit itself, and `exec` keeps the PID, the IPC channel and /proc stats.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'

/** How a child ended. */
export interface ExitInfo {
  code: number | null
  signal: NodeJS.Signals | null
}

/** A child with its exit promise, the tail of its stderr and a bounded stop. */
export interface ManagedChild {
  readonly proc: ChildProcess
  readonly pid: number
  readonly name: string
  readonly exited: Promise<ExitInfo>
  hasExited(): boolean
  stderrTail(): string
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the child is gone. */
  stop(graceMs?: number): Promise<ExitInfo>
}

// `ulimit` failing (e.g. hard limit "unlimited" above nr_open) is harmless: the child keeps the current
// limit, and the harness reads the real one back from /proc/PID/limits and reports it.
const RAISE_AND_EXEC = 'ulimit -S -n "$(ulimit -H -n)" 2>/dev/null; exec "$@"'
const TAIL_CHARS = 8000
const running = new Set<ManagedChild>()

// Last resort for paths that skip the orderly shutdown (an uncaught exception, process.exit elsewhere):
// never leave a server or a generator behind. Only synchronous work is possible here.
process.on('exit', () => {
  for (const child of running) child.proc.kill('SIGKILL')
})

/** Options for {@link spawnNodeScript}. */
export interface SpawnOptions {
  name: string
  cwd: string
  env: NodeJS.ProcessEnv
  /** Called with each complete line the child writes to stdout or stderr. */
  onLine: (line: string) => void
  /** `tsx` (default) runs TypeScript through tsx's loader; `none` runs a JavaScript file with plain node. */
  loader?: 'tsx' | 'none'
}

/** Splits a stream into lines for `onLine` and keeps the last few kB of it for error reports. */
function collect(
  stream: NodeJS.ReadableStream | null,
  onLine: (line: string) => void,
  tail: { text: string },
) {
  if (stream === null) return
  let partial = ''
  stream.setEncoding('utf8')
  stream.on('data', (chunk: string) => {
    tail.text = (tail.text + chunk).slice(-TAIL_CHARS)
    const lines = (partial + chunk).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) onLine(line)
  })
  stream.on('end', () => {
    if (partial !== '') onLine(partial)
  })
}

/**
 * Starts `node --import tsx script ...args` (or `node script ...args` with `loader: 'none'`) with an IPC
 * channel and a raised open-files limit.
 */
export function spawnNodeScript(script: string, args: string[], options: SpawnOptions): ManagedChild {
  const loader = options.loader === 'none' ? [] : ['--import', 'tsx']
  const proc = spawn('sh', ['-c', RAISE_AND_EXEC, 'sh', process.execPath, ...loader, script, ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  const pid = proc.pid
  if (pid === undefined) throw new Error(`could not start ${options.name} (sh not found?)`)
  const tail = { text: '' }
  collect(proc.stdout, options.onLine, tail)
  collect(proc.stderr, options.onLine, tail)
  // Without a listener, an IPC send to a child that just died would throw from an event emitter.
  proc.on('error', (error) => {
    tail.text = `${tail.text}\n[${options.name}] ${error.message}`.slice(-TAIL_CHARS)
  })
  let done = false
  const exited = new Promise<ExitInfo>((resolve) => {
    proc.on('exit', (code, signal) => {
      done = true
      running.delete(child)
      resolve({ code, signal })
    })
  })
  const child: ManagedChild = {
    proc,
    pid,
    name: options.name,
    exited,
    hasExited: () => done,
    stderrTail: () => tail.text.trim(),
    stop: (graceMs = 5000) => stopChild(child, graceMs),
  }
  running.add(child)
  return child
}

async function stopChild(child: ManagedChild, graceMs: number): Promise<ExitInfo> {
  if (child.hasExited()) return child.exited
  child.proc.kill('SIGTERM')
  const timer = setTimeout(() => {
    if (!child.hasExited()) child.proc.kill('SIGKILL')
  }, graceMs)
  try {
    return await child.exited
  } finally {
    clearTimeout(timer)
  }
}

/** "exit code 3" / "signal SIGKILL", for messages. */
export function describeExit(info: ExitInfo): string {
  return info.signal !== null ? `signal ${info.signal}` : `exit code ${String(info.code)}`
}
