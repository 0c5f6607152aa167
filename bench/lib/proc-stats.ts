/**
 * Linux process accounting read from /proc, and the open-files limit. Everything here degrades to
 * `undefined` on systems without /proc so the run still completes, just without those figures.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

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

/** A CPU reading tied to the wall clock, so usage can be expressed as a share of one core. */
export interface CpuSample {
  ticks: number | undefined
  atMs: number
}

/** Takes a {@link CpuSample} of a process now. */
export function sampleCpu(pid: number | undefined): CpuSample {
  return { ticks: pid === undefined ? undefined : processCpuTicks(pid), atMs: performance.now() }
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

/** Resident memory of a process in kB (`VmRSS` in /proc/PID/status), or undefined where unreadable. */
export function processRssKb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match?.[1] === undefined ? undefined : Number(match[1])
  } catch {
    return undefined
  }
}
