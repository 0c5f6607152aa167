/**
 * Sends a representation whose size is known (a file on disk, or bytes in memory) for GET and HEAD:
 * validators, conditional GET (304), one byte range (206, 416), the rest in full (200). The one piece
 * behind both `serveStatic` and `download`.
 */
import { createReadStream, type Stats } from 'node:fs'
import { open } from 'node:fs/promises'
import type { Context } from '../context.js'
import { HttpError } from '../errors.js'
import { fileEtag, isFresh, parseRange, rangeApplies, type ByteRange } from './conditional.js'

/** What is sent, and how it is read. */
export interface Representation {
  size: number
  /** Sent as ETag and matched by If-None-Match / If-Range; undefined for none. */
  etag: string | undefined
  /** Sent as Last-Modified and matched by If-Modified-Since / If-Range; undefined for none. */
  mtime: Date | undefined
  /** Content-Type. */
  type: string
  /** Sets the body for bytes `range` (inclusive), with `status`. */
  send(ctx: Context<object, object, object>, range: ByteRange, status: 200 | 206): Promise<void> | void
}

/**
 * Writes headers, then 304, 416, 206 or 200 through `ctx`. Conditionals and Range apply to GET (and HEAD,
 * which gets a GET's headers); other methods get the whole representation.
 * @throws HttpError 416 `ERR_RANGE_NOT_SATISFIABLE` with `Content-Range: bytes *\/size`.
 * @see RFC 9110 §13.1.3-§13.1.5 and §15.4.5 (304), §14 and §15.3.7 (206), §15.5.17 (416)
 */
export async function sendRepresentation(ctx: Context<object, object, object>, rep: Representation) {
  const { etag, mtime, size } = rep
  const lastModified = mtime?.toUTCString()
  if (etag !== undefined) ctx.header('etag', etag)
  if (lastModified !== undefined) ctx.header('last-modified', lastModified)
  ctx.header('accept-ranges', 'bytes')
  const headers = ctx.req.headers
  const conditional = ctx.method === 'GET' || ctx.method === 'HEAD'
  if (conditional && isFresh(headers, etag, mtime)) {
    ctx.status(304)
    ctx.res.responded = true
    return
  }
  const range =
    conditional && rangeApplies(headers, etag, lastModified) ? parseRange(headers.range, size) : undefined
  if (range === 'unsatisfiable') {
    throw new HttpError(416, 'range not satisfiable', { headers: { 'content-range': `bytes */${size}` } })
  }
  ctx.header('content-type', rep.type)
  if (range !== undefined) ctx.header('content-range', `bytes ${range.start}-${range.end}/${size}`)
  await rep.send(ctx, range ?? { start: 0, end: size - 1 }, range === undefined ? 200 : 206)
}

/**
 * A file as a {@link Representation}: ranges up to `maxSize` bytes are read into memory, larger ones
 * streamed from disk with backpressure and their Content-Length (a HEAD request closes the stream unread).
 */
export function fileRepresentation(
  file: string,
  stat: Stats,
  options: { type: string; etag: boolean; lastModified: boolean; maxSize: number },
): Representation {
  return {
    size: stat.size,
    etag: options.etag ? fileEtag(stat) : undefined,
    mtime: options.lastModified ? stat.mtime : undefined,
    type: options.type,
    async send(ctx, range, status) {
      const length = range.end - range.start + 1
      if (length <= options.maxSize) {
        ctx.send(await readRange(file, range), status)
        return
      }
      ctx.stream(createReadStream(file, { start: range.start, end: range.end }), { length, status })
    },
  }
}

/** Bytes in memory as a {@link Representation}. */
export function bytesRepresentation(
  bytes: Uint8Array,
  type: string,
  etag: string | undefined,
): Representation {
  return {
    size: bytes.byteLength,
    etag,
    mtime: undefined,
    type,
    send(ctx, range, status) {
      ctx.send(bytes.subarray(range.start, range.end + 1), status)
    },
  }
}

/** Reads bytes start..end (inclusive); fewer if the file shrank meanwhile. */
async function readRange(file: string, range: ByteRange): Promise<Buffer> {
  const length = Math.max(0, range.end - range.start + 1)
  const buffer = Buffer.alloc(length)
  if (length === 0) return buffer
  const handle = await open(file, 'r')
  try {
    const { bytesRead } = await handle.read(buffer, 0, length, range.start)
    return bytesRead === length ? buffer : buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}
