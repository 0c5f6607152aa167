/**
 * Validators, conditional GET and byte ranges (RFC 9110 §8.8, §13, §14), shared by `serveStatic` and
 * `download`. Range values are computed by `range-parser` after a strict syntax check.
 */
import type { Stats } from 'node:fs'
import type rangeParser from 'range-parser'
import { lazyRequire } from '../lazy.js'
import type { RequestHeaders } from '../request.js'

/** Loaded by the first Range request, not when Swiftlet is imported (startup RSS). */
const loadRangeParser = lazyRequire<typeof rangeParser>('range-parser')

/** A weak entity tag from size and mtime, as `send` and nginx make them (RFC 9110 §8.8.3). */
export function fileEtag(stat: Stats): string {
  return `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`
}

function opaque(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag
}

/**
 * True when the client's copy is current: `If-None-Match` (weak comparison, `*` matches), or when it is
 * absent, `If-Modified-Since` at or after the mtime (whole seconds). A validator left out (undefined) is
 * never matched.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-13.2.2 (If-None-Match takes precedence)
 */
export function isFresh(headers: RequestHeaders, etag: string | undefined, mtime: Date | undefined): boolean {
  const noneMatch = headers['if-none-match']
  if (noneMatch !== undefined) {
    if (noneMatch.trim() === '*') return true
    if (etag === undefined) return false
    const wanted = opaque(etag)
    return noneMatch.split(',').some((tag) => opaque(tag.trim()) === wanted)
  }
  const since = headers['if-modified-since']
  if (since === undefined || mtime === undefined) return false
  const time = Date.parse(since)
  return !Number.isNaN(time) && Math.floor(mtime.getTime() / 1000) * 1000 <= time
}

/** A byte range, inclusive at both ends. */
export interface ByteRange {
  start: number
  end: number
}

// One range-spec (RFC 9110 §14.1.1): `first-last`, `first-` or `-suffix`, digits only. range-parser reads
// numbers with parseInt, which would take `5x-` as `5-`: the syntax is checked here first.
const RANGE_SPEC = /^\s*(\d*)-(\d*)\s*$/

/**
 * Reads a `Range` header for a representation of `size` bytes (overlapping or adjacent ranges are
 * coalesced, as §14.2 allows).
 * @returns The one range to serve; `'unsatisfiable'` for a 416; undefined to ignore the header and send
 *   the whole representation (malformed syntax, another unit, or several disjoint ranges: RFC 9110 §14.2
 *   lets a server ignore Range, and multipart/byteranges is not implemented).
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-14.1.2
 */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined
  const eq = header.indexOf('=')
  if (eq === -1 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') return undefined
  const specs: string[] = []
  for (const spec of header.slice(eq + 1).split(',')) {
    const [, first = '', last = ''] = RANGE_SPEC.exec(spec) ?? []
    if (first === '' && last === '') return undefined
    if (first !== '' && last !== '' && Number(last) < Number(first)) return undefined
    // A suffix longer than the representation means all of it (§14.1.2); range-parser would refuse it.
    specs.push(first === '' && Number(last) > size ? '0-' : `${first}-${last}`)
  }
  const ranges = loadRangeParser()(size, `bytes=${specs.join(',')}`, { combine: true })
  if (ranges === -1) return 'unsatisfiable'
  if (ranges === -2 || ranges.length !== 1) return undefined
  const [range] = ranges
  return range && { start: range.start, end: range.end }
}

/**
 * True when a Range may be honoured: no `If-Range`, or one naming the current validator (RFC 9110 §13.1.5).
 * An entity-tag `If-Range` is compared by its opaque part, as `send` does (our file tags are weak).
 */
export function rangeApplies(
  headers: RequestHeaders,
  etag: string | undefined,
  lastModified: string | undefined,
): boolean {
  const ifRange = headers['if-range']
  if (ifRange === undefined) return true
  const value = ifRange.trim()
  if (value.startsWith('"') || value.startsWith('W/'))
    return etag !== undefined && opaque(value) === opaque(etag)
  return lastModified !== undefined && value === lastModified
}
