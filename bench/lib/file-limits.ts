/**
 * The open-files limit, checked before and after the children start. Every connection is a file
 * descriptor on both sides, and running out fails badly on both:
 * - the uWS server silently leaves connections beyond its limit unanswered (BENCH-NOTES), so the run
 *   looks fine but measures fewer connections: a warning, and the peak-in-flight check will show it;
 * - autocannon retries a failed connect at once, forever: on EMFILE it spins at 100 % CPU with growing
 *   memory and never reports again (measured here). That run cannot complete, so it is refused.
 */
import { processFileLimit, shellFileLimits } from './proc-stats.js'

/** Descriptors a process needs besides its connections: stdio, IPC, listen socket, tsx, logs. */
const MARGIN = 64

/** Estimated descriptors each child needs. */
export interface FileNeeds {
  server: number
  generator: number
}

/** The run cannot work with this limit; the message says how to fix it. The caller exits 2. */
export class FileLimitRefused extends Error {}

/** Estimate for `connections` requests in flight with the given I/O kind (see docs/load-testing.md). */
export function fileNeeds(connections: number, ioKind: string): FileNeeds {
  // Per in-flight request on the server: the client socket, plus an open file (file) or an outbound
  // socket (upstream; the example's upstream service runs in its own process with its own descriptors).
  const perRequest = ioKind === 'file' || ioKind === 'upstream' ? 2 : 1
  return { server: connections * perRequest + MARGIN, generator: connections + MARGIN }
}

const RAISE_HINT =
  'Raise the hard limit (ulimit -Hn as root, LimitNOFILE= in systemd, /etc/security/limits.conf)'

function refuseGenerator(limit: number, needs: FileNeeds): FileLimitRefused {
  return new FileLimitRefused(
    `the load generator may open only ${limit} files, but ${needs.generator - MARGIN} connections need ~${needs.generator}. ` +
      `autocannon spins without progress when it runs out of descriptors, so this run is refused. ${RAISE_HINT} ` +
      `or use --connections ${Math.max(1, limit - MARGIN)} or fewer.`,
  )
}

/**
 * Before starting anything: reports the shell's limits (children are raised to the hard one) and refuses
 * a run the generator cannot survive. The server's limit is judged later, on the real process.
 */
export function preflightFileLimits(needs: FileNeeds, log: (line: string) => void): void {
  const { soft, hard } = shellFileLimits()
  const show = (n: number | undefined) => (n === undefined ? '?' : String(n))
  log(
    `open files: soft limit ${show(soft)}, hard ${show(hard)} (children are raised to the hard limit); ` +
      `need ~${needs.server} for the server, ~${needs.generator} for the generator`,
  )
  if (hard !== undefined && hard < needs.generator) throw refuseGenerator(hard, needs)
}

/** The limits the children really got, read back from /proc/PID/limits. */
export interface ChildFileLimits {
  server: number | undefined
  generator: number | undefined
}

/** After the children started: the authoritative check (the raise to the hard limit may have failed). */
export function checkChildFileLimits(
  needs: FileNeeds,
  serverPid: number | undefined,
  generatorPid: number,
  log: (line: string) => void,
): { limits: ChildFileLimits; warnings: string[] } {
  const limits = {
    server: serverPid === undefined ? undefined : processFileLimit(serverPid),
    generator: processFileLimit(generatorPid),
  }
  if (limits.generator !== undefined && limits.generator < needs.generator) {
    throw refuseGenerator(limits.generator, needs)
  }
  const warnings: string[] = []
  if (limits.server !== undefined && limits.server < needs.server) {
    warnings.push(
      `the server may open only ${limits.server} files but may need ~${needs.server}. Beyond its limit the ` +
        `uWS core silently leaves connections unanswered while the generator reports no errors. ${RAISE_HINT}.`,
    )
  } else if (serverPid !== undefined && limits.server === undefined) {
    warnings.push(`could not read the server's open-files limit from /proc/${serverPid}/limits.`)
  }
  for (const warning of warnings) log(`WARNING: ${warning}`)
  return { limits, warnings }
}
