/**
 * Runs a fixture app in a child process (`node --import tsx`) and reads what it prints, one JSON object per
 * line (pino lines and the fixture's own reports). Every wait is bounded; `stop()` kills what is left.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** A parsed stdout line; lines that are not JSON are kept as `{ text }`. */
export type ChildLine = Record<string, unknown>

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/** A running fixture. */
export class FixtureProcess {
  readonly lines: ChildLine[] = []
  stderr = ''
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined
  readonly #child: ChildProcess
  readonly #exited: Promise<void>
  #pending = ''
  #listeners = new Set<() => void>()

  /**
   * Starts `tests/integration/fixtures/<name>` with `args`, with `env` added to this process's environment.
   */
  constructor(name: string, args: string[] = [], env: Record<string, string> = {}) {
    const file = fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url))
    const childEnv = { ...process.env, ...env }
    delete childEnv.NODE_OPTIONS // vitest's worker options are not for the fixture
    this.#child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
      cwd: ROOT,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.#child.stdout?.setEncoding('utf8').on('data', (text: string) => this.#onStdout(text))
    this.#child.stderr?.setEncoding('utf8').on('data', (text: string) => (this.stderr += text))
    this.#exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        this.exit = { code, signal }
        this.#notify()
        resolve()
      })
    })
  }

  /** Sends a signal to the child. */
  kill(signal: NodeJS.Signals): void {
    this.#child.kill(signal)
  }

  /**
   * Resolves with the first line matching `predicate`.
   * @throws Error after `timeoutMs`, or when the child exits first; the message shows its output.
   */
  waitForLine(predicate: (line: ChildLine) => boolean, timeoutMs: number): Promise<ChildLine> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const line = this.lines.find(predicate)
        if (line) return finish(() => resolve(line))
        if (this.exit)
          finish(() => reject(new Error(`fixture exited (${JSON.stringify(this.exit)}) ${this.#dump()}`)))
      }
      const timer = setTimeout(
        () => finish(() => reject(new Error(`no matching line within ${timeoutMs} ms ${this.#dump()}`))),
        timeoutMs,
      )
      const finish = (settle: () => void): void => {
        clearTimeout(timer)
        this.#listeners.delete(check)
        settle()
      }
      this.#listeners.add(check)
      check()
    })
  }

  /** Resolves with the exit status. @throws Error after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`fixture still running after ${timeoutMs} ms ${this.#dump()}`)),
        timeoutMs,
      )
    })
    try {
      await Promise.race([this.#exited, timeout])
    } finally {
      clearTimeout(timer)
    }
    return this.exit as { code: number | null; signal: NodeJS.Signals | null }
  }

  /** Kills the child if it still runs, and waits for it. */
  async stop(): Promise<void> {
    if (this.exit) return
    this.#child.kill('SIGKILL')
    await this.#exited
  }

  #onStdout(text: string): void {
    this.#pending += text
    let newline: number
    while ((newline = this.#pending.indexOf('\n')) !== -1) {
      const raw = this.#pending.slice(0, newline).trim()
      this.#pending = this.#pending.slice(newline + 1)
      if (raw === '') continue
      try {
        const parsed: unknown = JSON.parse(raw)
        this.lines.push(typeof parsed === 'object' && parsed !== null ? (parsed as ChildLine) : { text: raw })
      } catch {
        this.lines.push({ text: raw })
      }
    }
    this.#notify()
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener()
  }

  #dump(): string {
    return `\nstdout: ${JSON.stringify(this.lines).slice(0, 2000)}\nstderr: ${this.stderr.slice(0, 2000)}`
  }
}
