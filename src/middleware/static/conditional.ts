/** Validators, conditional GET and byte ranges for files (RFC 9110 §8.8, §13, §14). */
import type { Stats } from 'node:fs'
import type { RequestHeaders } from '../../request.js'

/** A weak entity tag from size and mtime, as `send` and nginx make them (RFC 9110 §8.8.3). */
export function fileEtag(stat: Stats): string {
  return `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`
}

function opaque(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag
}

/**
 * True when the client's copy is current: `If-None-Match` (weak comparison, `*` matches), or when it is
 * absent, `If-Modified-Since` at or after the file's mtime (whole seconds).
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-13.2.2 (If-None-Match takes precedence)
 */
export function isFresh(headers: RequestHeaders, etag: string, mtime: Date): boolean {
  const noneMatch = headers['if-none-match']
  if (noneMatch !== undefined) {
    if (noneMatch.trim() === '*') return true
    const wanted = opaque(etag)
    return noneMatch.split(',').some((tag) => opaque(tag.trim()) === wanted)
  }
  const since = headers['if-modified-since']
  if (since === undefined) return false
  const time = Date.parse(since)
  return !Number.isNaN(time) && Math.floor(mtime.getTime() / 1000) * 1000 <= time
}

/** A byte range, inclusive at both ends. */
export interface ByteRange {
  start: number
  end: number
}

/**
 * Reads a `Range` header for a representation of `size` bytes.
 * @returns The one range to serve; `'unsatisfiable'` for a 416; undefined to ignore the header and send
 *   the whole file (malformed syntax, another unit, or several ranges: RFC 9110 §14.2 lets a server ignore
 *   Range, and multipart/byteranges is not implemented).
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-14.1.2
 */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined
  const match = /^bytes=\s*(\d*)-(\d*)\s*$/i.exec(header)
  if (!match) return undefined
  const [, first = '', last = ''] = match
  if (first === '' && last === '') return undefined
  if (first === '') {
    const suffix = Number(last)
    if (suffix === 0 || size === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(first)
  if (last !== '' && Number(last) < start) return undefined
  if (start >= size) return 'unsatisfiable'
  return { start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) }
}

/**
 * True when a Range may be honoured: no `If-Range`, or one naming the current validator (RFC 9110 §13.1.5).
 * Our ETag is weak, so an entity-tag `If-Range` is compared by its opaque part, as `send` does.
 */
export function rangeApplies(headers: RequestHeaders, etag: string, lastModified: string): boolean {
  const ifRange = headers['if-range']
  if (ifRange === undefined) return true
  const value = ifRange.trim()
  if (value.startsWith('"') || value.startsWith('W/')) return opaque(value) === opaque(etag)
  return value === lastModified
}
