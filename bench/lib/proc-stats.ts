/**
 * Linux process accounting read from /proc, and the open-files limit. Everything here degrades to
 * `undefined` on systems without /proc so the run still completes, just without those figures.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

/** Runs a tiny shell snippet; `ulimit` is a shell builtin, so there is no binary to call directly. */
function shell(script: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', script], { encoding: 'utf8', timeout: 5000 }).trim()
  } catch {
    return undefined
  }
}

/** Parses a limit as printed by `ulimit` or /proc/PID/limits; `unlimited` becomes Infinity. */
function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  if (text === 'unlimited') return Number.POSITIVE_INFINITY
  const n = Number(text)
  return Number.isFinite(n) ? n : undefined
}

/** Soft and hard open-files limits of this shell environment (what children start with). */
export interface FileLimits {
  soft: number | undefined
  hard: number | undefined
}

/** Reads `ulimit -Sn` and `ulimit -Hn` through sh. */
export function shellFileLimits(): FileLimits {
  return { soft: parseLimit(shell('ulimit -Sn')), hard: parseLimit(shell('ulimit -Hn')) }
}

/** The soft "Max open files" limit a running process actually has, from /proc/PID/limits. */
export function processFileLimit(pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/limits`, 'utf8')
    const line = text.split('\n').find((l) => l.startsWith('Max open files'))
    return parseLimit(line?.slice('Max open files'.length).trim().split(/\s+/)[0])
  } catch {
    return undefined
  }
}

/** Clock ticks per second for /proc/PID/stat times; 100 on practically every Linux if getconf is missing. */
export function clockTicksPerSecond(): number {
  const n = Number(shell('getconf CLK_TCK'))
  return Number.isFinite(n) && n > 0 ? n : 100
}

/**
 * utime + stime of a whole process in clock ticks. /proc/PID/stat of the thread-group leader already sums
 * all its threads (uWS, libuv pool, tsx loader), which is what "server CPU" has to mean.
 */
export function processCpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const utime = Number(fields[11])
    const stime = Number(fields[12])
    return Number.isFinite(utime) && Number.isFinite(stime) ? utime + stime : undefined
  } catch {
    return undefined
  }
}

/** Whether a process is a node:cluster worker: its initial environment carries `NODE_UNIQUE_ID`. */
function isClusterWorker(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1')
      .split('\0')
      .some((v) => v.startsWith('NODE_UNIQUE_ID='))
  } catch {
    return false
  }
}

/**
 * The server's processes: `pid` and those of its children that are node:cluster workers (Swiftlet's
 * `listen({ workers })`), found through the parent pid in each /proc/PID/stat. Other children (the example
 * API's upstream service) are left out, like any remote dependency. Just `[pid]` when /proc cannot be listed.
 */
export function serverProcesses(pid: number): number[] {
  const workers: number[] = []
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
        if (ppid === pid && isClusterWorker(Number(entry))) workers.push(Number(entry))
      } catch {
        // The process ended while we listed /proc.
      }
    }
  } catch {
    return [pid]
  }
  return [pid, ...workers]
}

/**
 * CPU ticks of the server: `pid` plus its cluster workers ({@link serverProcesses}). A worker that exited
 * during the window loses its ticks, so compare windows in which none did.
 */
export function serverCpuTicks(pid: number): number | undefined {
  let total: number | undefined
  for (const member of serverProcesses(pid)) {
    const ticks = processCpuTicks(member)
    if (ticks !== undefined) total = (total ?? 0) + ticks
  }
  return total
}

/** A CPU reading tied to the wall clock, so usage can be expressed as a share of one core. */
export interface CpuSample {
  ticks: number | undefined
  atMs: number
}

/** Takes a {@link CpuSample} of a server (its process and its cluster workers) now. */
export function sampleCpu(pid: number | undefined): CpuSample {
  return { ticks: pid === undefined ? undefined : serverCpuTicks(pid), atMs: performance.now() }
}

/** CPU used between two samples, in microseconds, and the wall time between them. */
export function cpuBetween(
  before: CpuSample,
  after: CpuSample,
  ticksPerSecond: number,
): { cpuUs: number | undefined; wallUs: number } {
  const wallUs = (after.atMs - before.atMs) * 1000
  if (before.ticks === undefined || after.ticks === undefined) return { cpuUs: undefined, wallUs }
  return { cpuUs: ((after.ticks - before.ticks) * 1_000_000) / ticksPerSecond, wallUs }
}

/**
 * The kernel's count of connections dropped because a listen queue was full (TcpExt ListenOverflows,
 * for this network namespace). A dropped SYN is retried after 1 s, then 3 s, ...: if it grows during the
 * timed window, some connections sat idle for seconds and throughput and tail latency suffer.
 */
export function listenOverflows(): number | undefined {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n')
    const header = lines.findIndex((l) => l.startsWith('TcpExt:'))
    const names = lines[header]?.split(/\s+/)
    const values = lines[header + 1]?.split(/\s+/)
    const index = names?.indexOf('ListenOverflows') ?? -1
    const value = Number(values?.[index])
    return index > 0 && Number.isFinite(value) ? value : undefined
  } catch {
    return undefined
  }
}

/**
 * Resident memory in kB (`VmRSS` in /proc/PID/status) of a server: its process and its cluster workers
 * (shared library pages are counted once per process), or undefined where unreadable.
 */
export function processRssKb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined
  let total: number | undefined
  for (const member of serverProcesses(pid)) {
    try {
      const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${member}/status`, 'utf8'))
      if (match?.[1] !== undefined) total = (total ?? 0) + Number(match[1])
    } catch {
      // Gone, or not readable: counted as nothing.
    }
  }
  return total
}
