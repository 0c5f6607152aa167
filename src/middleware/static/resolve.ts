/**
 * From a canonical request path to a file under the root, refusing every way out: dot segments, encoded
 * slashes and backslashes, raw backslashes, NUL and control bytes, empty segments, and (checked later with
 * realpath) symlinks that point outside the root.
 */
import path from 'node:path'

/** How dotfiles (`.env`, `.git/`) are treated. */
export type DotfilesPolicy = 'ignore' | 'deny' | 'allow'

/** A refused or unknown path: the status it would answer with. */
export interface Refused {
  status: 400 | 403 | 404
  reason: string
}

/** A path that may name a file: the absolute candidate, and whether the request ended with `/`. */
export interface Candidate {
  file: string
  directory: boolean
}

const VISIBLE_ASCII = /^[\x21-\x7e]*$/

/**
 * Resolves `requestPath` (already canonical: see `normalizePath` in src/router/path.ts, which the router
 * also uses) below `prefix` into a path under `root`.
 * @returns A {@link Candidate}, a {@link Refused}, or undefined when the path is not under `prefix`.
 */
export function resolveUnder(
  root: string,
  prefix: string,
  requestPath: string,
  dotfiles: DotfilesPolicy,
): Candidate | Refused | undefined {
  if (prefix !== '' && requestPath !== prefix && !requestPath.startsWith(`${prefix}/`)) return undefined
  const rest = requestPath.slice(prefix.length) || '/'
  if (!VISIBLE_ASCII.test(rest)) return { status: 400, reason: 'control or non-ASCII byte in path' }
  if (rest.includes('\\')) return { status: 403, reason: 'backslash in path' }
  const raw = rest.slice(1).split('/')
  const directory = raw[raw.length - 1] === ''
  if (directory) raw.pop()
  const segments: string[] = []
  for (const segment of raw) {
    const decoded = decodeSegment(segment)
    if (typeof decoded !== 'string') return decoded
    if (decoded.startsWith('.') && dotfiles !== 'allow') {
      return dotfiles === 'deny' ? { status: 403, reason: 'dotfile' } : { status: 404, reason: 'dotfile' }
    }
    segments.push(decoded)
  }
  const file = path.join(root, ...segments)
  if (file !== root && !file.startsWith(root + path.sep)) return { status: 403, reason: 'outside the root' }
  return { file, directory }
}

function decodeSegment(segment: string): string | Refused {
  // `//` inside a path: no file has an empty name, and it would make a redirect to `//host` possible.
  if (segment === '') return { status: 404, reason: 'empty segment' }
  let decoded: string
  try {
    decoded = decodeURIComponent(segment)
  } catch {
    return { status: 400, reason: 'malformed percent-encoding' }
  }
  if (decoded.includes('\0')) return { status: 400, reason: 'NUL in path' }
  // An encoded `/` or `\` is data to the router (RFC 3986 §2.2), never a directory separator here.
  if (decoded.includes('/') || decoded.includes('\\')) return { status: 403, reason: 'encoded separator' }
  // normalizePath already removed dot segments (also `%2e%2e`); one surviving here means a bypass attempt.
  if (decoded === '.' || decoded === '..') return { status: 403, reason: 'dot segment' }
  return decoded
}

/** True when `file` (a realpath) is the root or inside it. */
export function isInside(realRoot: string, file: string): boolean {
  return file === realRoot || file.startsWith(realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep)
}
