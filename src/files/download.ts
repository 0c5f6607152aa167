/**
 * `download()`: a file, bytes or a stream sent with Content-Disposition (RFC 6266, `filename*` per RFC
 * 8187 via `content-disposition`), Content-Type from `mime-types`, and for files and bytes the validators,
 * conditional GET and Range handling `serveStatic` uses (src/files/representation.ts).
 */
import { stat } from 'node:fs/promises'
import path from 'node:path'
import type contentDisposition from 'content-disposition'
import type * as MimeTypes from 'mime-types'
import type { Context } from '../context.js'
import { ERR, HttpError } from '../errors.js'
import { lazyRequire } from '../lazy.js'
import { computeEtag } from '../middleware/etag/index.js'
import type { StreamChunk } from '../streaming.js'
import { sanitizeFilename } from './filename.js'
import { bytesRepresentation, fileRepresentation, sendRepresentation } from './representation.js'

// Loaded by the first download(), not when Swiftlet is imported (startup RSS).
const loadContentDisposition = lazyRequire<typeof contentDisposition>('content-disposition')
const loadMimeTypes = lazyRequire<typeof MimeTypes>('mime-types')

/** What {@link download} sends: a file path (trusted: yours, never the client's), bytes, or a stream. */
export type DownloadSource = string | Uint8Array | AsyncIterable<StreamChunk>

/** Options for {@link download}. */
export interface DownloadOptions {
  /**
   * The name the client saves under (sanitised; non-ASCII names get an ASCII `filename` plus `filename*`).
   * @default the file's base name for a path; none for bytes and streams
   */
  filename?: string
  /** Content-Type. @default from the filename's (or path's) extension, else `application/octet-stream` */
  type?: string
  /** `Content-Disposition: inline` (show in the browser) instead of `attachment` (save). @default false */
  inline?: boolean
  /** Total bytes of a stream source, sent as Content-Length (otherwise chunked). */
  length?: number
  /** Send an ETag (files: weak, from size and mtime; bytes: strong, from a SHA-1). @default true */
  etag?: boolean
  /** Send Last-Modified for files. @default true */
  lastModified?: boolean
  /** A Cache-Control value to send. @default none */
  cacheControl?: string
  /** Largest file range read into memory at once, in bytes; larger ones stream from disk. @default 65536 */
  maxSize?: number
}

/** An ASCII stand-in for `filename=` (old clients); the exact name goes in `filename*`. */
function asciiFallback(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '_')
  return ascii.replace(/["\\%]/g, '_')
}

/**
 * The Content-Disposition value for `filename` (sanitised).
 * @example dispositionHeader('résumé 2026.pdf') === `attachment; filename="resume 2026.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%202026.pdf`
 * @see https://www.rfc-editor.org/rfc/rfc6266#section-4.3, https://www.rfc-editor.org/rfc/rfc8187
 */
export function dispositionHeader(filename: string | undefined, inline = false): string {
  const type = inline ? 'inline' : 'attachment'
  if (filename === undefined) return type
  const name = sanitizeFilename(filename)
  return loadContentDisposition()(name, { type, fallback: asciiFallback(name) })
}

function typeFor(name: string | undefined, given: string | undefined): string {
  if (given !== undefined) return given
  return (name !== undefined && loadMimeTypes().contentType(path.extname(name))) || 'application/octet-stream'
}

/**
 * Sends `source` as a download. Files and bytes answer conditional GETs (304) and single byte ranges
 * (206, 416; several disjoint ranges get the whole body), and HEAD gets the headers with the length;
 * files over `maxSize` are streamed from disk, never read whole. A stream is sent as it comes (no Range:
 * `Accept-Ranges: none`).
 *
 * ```ts
 * app.get('/files/:id', async (ctx) => {
 *   const file = catalogue.get(ctx.params.id) // map the client's id to a path you own
 *   if (!file) throw new HttpError(404)
 *   await download(ctx, file.path, { filename: file.originalName })
 * })
 * ```
 * @param source - A path you own (never one built from client input), bytes, or an async iterable.
 * @throws HttpError 404 `ERR_NOT_FOUND` when the path is not a readable regular file; 416 for a range past
 *   the end; TypeError from `content-disposition` never (names are sanitised first).
 * @see RFC 6266 (Content-Disposition), RFC 9110 §14 (Range), §13 (conditional requests)
 */
export async function download(
  ctx: Context<object, object, object>,
  source: DownloadSource,
  options: DownloadOptions = {},
): Promise<void> {
  const filename = options.filename ?? (typeof source === 'string' ? path.basename(source) : undefined)
  ctx.header('content-disposition', dispositionHeader(filename, options.inline))
  if (options.cacheControl !== undefined) ctx.header('cache-control', options.cacheControl)
  const type = typeFor(filename ?? (typeof source === 'string' ? source : undefined), options.type)
  if (typeof source === 'string') {
    const stats = await stat(source).catch(() => undefined)
    if (!stats?.isFile()) throw new HttpError(404, 'file not found', { code: ERR.NOT_FOUND })
    const rep = fileRepresentation(source, stats, {
      type,
      etag: options.etag ?? true,
      lastModified: options.lastModified ?? true,
      maxSize: options.maxSize ?? 64 * 1024,
    })
    return sendRepresentation(ctx, rep)
  }
  if (source instanceof Uint8Array) {
    const etag = options.etag === false ? undefined : computeEtag(source)
    return sendRepresentation(ctx, bytesRepresentation(source, type, etag))
  }
  ctx.header('accept-ranges', 'none')
  ctx.stream(source, { type, ...(options.length === undefined ? {} : { length: options.length }) })
}
