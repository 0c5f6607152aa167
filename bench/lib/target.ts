/**
 * Target URL handling. The harness must only ever send traffic to this machine, so every URL is checked
 * against the loopback ranges by literal address or by the exact name `localhost` — never through DNS,
 * because a resolver (or /etc/hosts) could point a name anywhere.
 */
import { isIPv4 } from 'node:net'

/** A checked target: where the load goes, and the origin for /health and /stats. */
export interface Target {
  /** URL the generator hits (path and query included). */
  url: string
  /** scheme://host:port, used for /health, /stats and /stats/reset. */
  origin: string
  /** The I/O kind from the `kind` query parameter, if the URL has one. */
  ioKind: string | undefined
  /** Set when `localhost` was pinned to 127.0.0.1; shown to the user. */
  note: string | undefined
}

/** Thrown for a URL the harness refuses; the caller prints the message and exits 2. */
export class TargetRefused extends Error {}

/** True for 127.0.0.0/8, `localhost` and [::1]. The WHATWG parser has already normalised forms like 127.1. */
export function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true
  return isIPv4(hostname) && hostname.split('.')[0] === '127'
}

/**
 * Parses and checks a `--url` value. A bare origin (path `/`) gets the default route `/io?kind=<io>`, and
 * `/io` without a `kind` gets one, so `--url http://127.0.0.1:3000` does the expected thing.
 */
export function resolveTarget(
  raw: string,
  ioKind: string,
  options: { allowRemote?: boolean; defaultPath?: string } = {},
): Target {
  let parsed: URL
  try {
    parsed = new URL(raw)
  } catch {
    throw new TargetRefused(`--url ${JSON.stringify(raw)} is not a valid URL`)
  }
  if (parsed.protocol !== 'http:') {
    throw new TargetRefused(`--url must use http: (got ${parsed.protocol}); the uWS build has no TLS`)
  }
  let note: string | undefined
  if (!isLoopbackHost(parsed.hostname)) {
    if (options.allowRemote === true) return remoteTarget(parsed)
    throw new TargetRefused(
      `refusing --url ${parsed.href}: the host ${parsed.hostname} is not loopback. ` +
        'This harness only loads this machine (127.0.0.0/8, localhost or [::1]); --allow-remote is for ' +
        'servers you own.',
    )
  }
  if (parsed.hostname === 'localhost') {
    // Pin the name so the socket layer cannot resolve it to something else.
    parsed.hostname = '127.0.0.1'
    note = 'localhost is sent to 127.0.0.1 (use http://[::1]:PORT for an IPv6-only server)'
  }
  if (parsed.pathname === '/') {
    const fallback = new URL(options.defaultPath ?? '/io', parsed.origin)
    parsed.pathname = fallback.pathname
    if (parsed.search === '') parsed.search = fallback.search
  }
  if (parsed.pathname === '/io' && !parsed.searchParams.has('kind')) parsed.searchParams.set('kind', ioKind)
  return {
    url: parsed.href,
    origin: parsed.origin,
    ioKind: parsed.searchParams.get('kind') ?? undefined,
    note,
  }
}

/** The target for the example API the harness started itself. */
export function localTarget(port: number, ioKind: string, path = `/io?kind=${ioKind}`): Target {
  const origin = `http://127.0.0.1:${port}`
  const kind = path.startsWith('/io?') ? ioKind : undefined
  return { url: `${origin}${path}`, origin, ioKind: kind, note: undefined }
}

/** The loud warning printed for a target off this machine (only with --allow-remote). */
export const REMOTE_WARNING =
  '!!! --allow-remote: this run sends load to a host that is NOT this machine. Only do this to a server ' +
  'you own and may load-test; the run is still bounded in time and request count. !!!'

/** A non-loopback target, accepted only because --allow-remote was given; the path is taken as is. */
function remoteTarget(parsed: URL): Target {
  return {
    url: parsed.href,
    origin: parsed.origin,
    ioKind: parsed.searchParams.get('kind') ?? undefined,
    note: REMOTE_WARNING,
  }
}
