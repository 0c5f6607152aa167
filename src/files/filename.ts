/**
 * Client-supplied file names made safe to show and to put in a Content-Disposition header. They are never
 * used as paths: uploads are stored under random names.
 */

/** Longest name kept, in UTF-8 bytes (the usual file-system limit). */
const MAX_BYTES = 255

// C0 and C1 controls, DEL, and the characters Windows forbids in names (`<>:"/\|?*`).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f<>:"/\\|?*]/g
// Bidirectional overrides and isolates: `evil\u202Etxt.exe` would display as `evilexe.txt`.
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f]/g

/**
 * A display-safe version of a client's file name: the last path segment only (both `/` and `\`), NFC,
 * without control, bidi-override or Windows-reserved characters, without leading dots (no `..`, no hidden
 * files) or trailing dots and spaces, cut to 255 UTF-8 bytes keeping the extension.
 * @param name - As the client sent it (may be undefined).
 * @param fallback - Used when nothing is left. @default 'file'
 * @example sanitizeFilename('../../etc/passwd') === 'passwd'; sanitizeFilename('C:\\x\\a\u0000b.txt') === 'ab.txt'
 */
export function sanitizeFilename(name: string | undefined, fallback = 'file'): string {
  if (name === undefined) return fallback
  const last = name.split(/[/\\]/).pop() ?? ''
  const cleaned = last
    .normalize('NFC')
    .replace(UNSAFE, '')
    .replace(BIDI, '')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.]+/, '')
    .replace(/[\s.]+$/, '')
  const cut = truncateUtf8(cleaned, MAX_BYTES)
  return cut === '' ? fallback : cut
}

/** Cuts `name` to at most `max` UTF-8 bytes at a code-point boundary, keeping a short extension. */
function truncateUtf8(name: string, max: number): string {
  if (Buffer.byteLength(name) <= max) return name
  const dot = name.lastIndexOf('.')
  const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : ''
  let stem = ''
  for (const char of name.slice(0, ext === '' ? name.length : dot)) {
    if (Buffer.byteLength(stem + char + ext) > max) break
    stem += char
  }
  return stem + ext
}
