/** Reverse routing: builds a path from a pattern and params. */
import { RouteError } from './router/segment-tree.js'

/**
 * Fills `:name` segments and a trailing `*` of `pattern` with `params`, percent-encoding each value
 * (RFC 3986 §2.1; a `/` inside a `:param` value becomes `%2F`; the wildcard keeps its slashes and encodes
 * the rest).
 * @param query - Appended as a query string (URLSearchParams encoding).
 * @throws RouteError (`ERR_INVALID_ROUTE`) when a param is missing.
 */
export function urlFor(
  pattern: string,
  params: Record<string, string | number>,
  query?: Record<string, string>,
): string {
  const path = pattern
    .split('/')
    .map((segment) => {
      if (segment === '*') {
        // The wildcard keeps its slashes; everything else (`?`, `#`, `%`...) is encoded per segment.
        return String(required(params, '*', pattern))
          .split('/')
          .map(encodeURIComponent)
          .join('/')
      }
      if (!segment.startsWith(':')) return segment
      return encodeURIComponent(String(required(params, segment.slice(1), pattern)))
    })
    .join('/')
  const search = query ? new URLSearchParams(query).toString() : ''
  return search === '' ? path : `${path}?${search}`
}

function required(params: Record<string, string | number>, name: string, pattern: string): string | number {
  const value = Object.hasOwn(params, name) ? params[name] : undefined
  if (value === undefined) throw new RouteError(`missing param "${name}" for ${pattern}`)
  return value
}
