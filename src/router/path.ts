/**
 * Path parsing and normalisation shared by the router and anything that resolves paths (static files later),
 * so every consumer sees one canonical path.
 */

const UNRESERVED = /^[A-Za-z0-9\-._~]$/

/**
 * Canonicalises a request path (no query) per RFC 3986 §6.2.2: percent-escapes of unreserved characters are
 * decoded (`%7E` → `~`, `%2E` → `.`), other escapes get upper-case hex, and dot segments are removed
 * (§5.2.4). Escapes of reserved characters (`%2F`, `%3F`...) stay encoded, so an encoded slash never becomes
 * a separator. Malformed escapes are left as they are; decoding params reports them.
 *
 * @returns The canonical path; the input itself when nothing changes (the common, allocation-free case).
 * @see https://www.rfc-editor.org/rfc/rfc3986#section-6.2.2
 */
export function normalizePath(path: string): string {
  let out = path
  if (out.includes('%')) out = normalizeEscapes(out)
  if (out.includes('/.')) out = removeDotSegments(out)
  return out
}

function normalizeEscapes(path: string): string {
  return path.replace(/%([0-9A-Fa-f]{2})/g, (escape, hex: string) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16))
    return UNRESERVED.test(char) ? char : escape.toUpperCase()
  })
}

/** RFC 3986 §5.2.4, for absolute paths: `/a/./b/../c` → `/a/c`; never climbs above `/`. */
export function removeDotSegments(path: string): string {
  const segments = path.split('/')
  const out: string[] = []
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i]
    const isLast = i === segments.length - 1
    if (segment === '.' || segment === '..') {
      if (segment === '..') out.pop()
      // `/a/b/..` resolves to `/a/`: a trailing dot segment leaves a trailing slash.
      if (isLast) out.push('')
    } else {
      out.push(segment ?? '')
    }
  }
  return '/' + out.join('/')
}

/**
 * Splits a path into its segments: `/a/b/` → `['a', 'b', '']`, `/` → `['']`.
 * @throws TypeError when the path does not start with `/`.
 */
export function splitPath(path: string): string[] {
  if (path.charCodeAt(0) !== 47) throw new TypeError(`path must start with "/": ${JSON.stringify(path)}`)
  return path.slice(1).split('/')
}

/** Joins a router prefix and a route path: `('/api', '/items')` → `/api/items`, `('/api', '/')` → `/api`. */
export function joinPaths(prefix: string, path: string): string {
  const head = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix
  if (head === '') return path
  return path === '/' ? head : head + path
}
