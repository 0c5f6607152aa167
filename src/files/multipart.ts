/**
 * multipart/form-data as an async iterator of parts, streamed through busboy from `ctx.req.stream()`:
 * nothing is buffered beyond one field value and the streams' own buffers, and a slow consumer pauses the
 * socket (backpressure runs from the file stream back through busboy to the request body).
 */
import type busboy from 'busboy'
import type { Readable } from 'node:stream'
import type { Context } from '../context.js'
import { ERR, HttpError, isHttpError } from '../errors.js'
import { lazyRequire } from '../lazy.js'
import { mediaType } from '../request.js'
import { sanitizeFilename } from './filename.js'
import { formLimitError, formLimits, type FormLimits } from './limits.js'

/** Loaded by the first multipart body parsed, not when Swiftlet is imported (startup RSS). */
const loadBusboy = lazyRequire<typeof busboy>('busboy')

/** A non-file field. */
export interface FieldPart {
  kind: 'field'
  name: string
  value: string
}

/** A file, to be read from `stream` before asking for the next part. */
export interface FilePart {
  kind: 'file'
  /** The form field's name. */
  fieldName: string
  /** The client's file name, sanitised (see `sanitizeFilename`): for display, never a path. */
  filename: string
  /** As the client declared it (not checked against the content). */
  mimeType: string
  /** The file's bytes. Errors with HttpError 413 (`ERR_FORM_LIMIT`) past `limits.fileSize`. */
  stream: Readable
}

/** One part of a multipart body. */
export type MultipartPart = FieldPart | FilePart

/** Options for {@link multipart}. */
export interface MultipartIteratorOptions {
  /** Limits on the parts; see {@link FormLimits} for the defaults. */
  limits?: Partial<FormLimits>
}

/** Parts waiting for the consumer, and how the body ended. */
class PartQueue {
  #items: MultipartPart[] = []
  #error: unknown = undefined
  ended = false
  #wake: (() => void) | undefined

  push(part: MultipartPart): void {
    this.#items.push(part)
    this.#notify()
  }

  fail(error: unknown): void {
    if (this.#error !== undefined || this.ended) return
    this.#error = error
    this.#notify()
  }

  end(): void {
    this.ended = true
    this.#notify()
  }

  /** The next part; undefined at the end. @throws the first error (a limit, malformed input, an abort). */
  async next(): Promise<MultipartPart | undefined> {
    for (;;) {
      if (this.#error !== undefined) throw this.#error
      const item = this.#items.shift()
      if (item) return item
      if (this.ended) return undefined
      await new Promise<void>((resolve) => (this.#wake = resolve))
    }
  }

  #notify(): void {
    const wake = this.#wake
    this.#wake = undefined
    wake?.()
  }
}

/** The 400 for a broken body (busboy's own errors are plain Errors). */
export function malformed(cause: unknown): HttpError {
  const reason = cause instanceof Error ? `: ${cause.message}` : ''
  return new HttpError(400, `malformed multipart/form-data${reason}`, {
    code: ERR.MALFORMED_MULTIPART,
    cause,
  })
}

/** A busboy parser for this request. @throws HttpError 415 (another media type), 400 (no boundary). */
function createParser(ctx: Context<object, object, object>, limits: FormLimits): busboy.Busboy {
  const contentType = ctx.req.headers['content-type'] ?? ''
  if (mediaType(contentType) !== 'multipart/form-data') {
    throw new HttpError(415, 'expected multipart/form-data', { code: ERR.UNSUPPORTED_MEDIA_TYPE })
  }
  const createBusboy = loadBusboy() // outside the try: failing to load it is no fault of the body
  try {
    // defParamCharset utf8: browsers send UTF-8 file names as raw bytes in `filename="..."`.
    return createBusboy({ headers: { 'content-type': contentType }, limits, defParamCharset: 'utf8' })
  } catch (cause) {
    throw malformed(cause)
  }
}

/** Routes busboy's events into the queue, turning every limit into a 413 that names it. */
function wire(parser: busboy.Busboy, queue: PartQueue, limits: FormLimits): void {
  parser.on('field', (name, value, info) => {
    if (info.nameTruncated) {
      return queue.fail(formLimitError('fieldNameSize', limits.fieldNameSize, 'field name too long'))
    }
    if (info.valueTruncated) {
      return queue.fail(formLimitError('fieldSize', limits.fieldSize, `field "${name}" too large`))
    }
    queue.push({ kind: 'field', name, value })
  })
  parser.on('file', (fieldName, stream, info) => {
    // Always listened to: the stream may fail (a cut body) before its consumer attached, and an unheard
    // 'error' would crash the process.
    stream.on('error', (error) => queue.fail(isHttpError(error) ? error : malformed(error)))
    stream.once('limit', () => {
      const error = formLimitError('fileSize', limits.fileSize, `file in field "${fieldName}" too large`)
      stream.destroy(error)
      queue.fail(error)
    })
    const filename = sanitizeFilename(info.filename)
    queue.push({ kind: 'file', fieldName, filename, mimeType: info.mimeType, stream })
  })
  parser.on('partsLimit', () => queue.fail(formLimitError('parts', limits.parts, 'too many parts')))
  parser.on('filesLimit', () => queue.fail(formLimitError('files', limits.files, 'too many files')))
  parser.on('fieldsLimit', () => queue.fail(formLimitError('fields', limits.fields, 'too many fields')))
  parser.on('error', (cause) => queue.fail(malformed(cause)))
  parser.on('close', () => queue.end())
}

/**
 * Reads a multipart/form-data body part by part, as it arrives:
 *
 * ```ts
 * for await (const part of multipart(ctx, { limits: { fileSize: 50 * 1024 * 1024 } })) {
 *   if (part.kind === 'field') fields[part.name] = part.value
 *   else await pipeline(part.stream, createWriteStream(`/srv/uploads/${randomUUID()}`))
 * }
 * ```
 *
 * Read (or `resume()`) each file's stream before asking for the next part: a file nobody started reading
 * is discarded when the next part is requested. Leaving the loop early stops reading the body (the
 * connection is closed after the response).
 * @throws HttpError 415 `ERR_UNSUPPORTED_MEDIA_TYPE` for another media type; 400 `ERR_MALFORMED_MULTIPART`
 *   for a missing boundary or a broken body; 413 `ERR_FORM_LIMIT` naming the limit exceeded (the file
 *   stream errors with it too); 413 `ERR_BODY_TOO_LARGE` past the request's body limit; 400
 *   `ERR_CLIENT_ABORTED` when the client leaves; 500 `ERR_BODY_CONSUMED` when the body was already read.
 * @see https://www.rfc-editor.org/rfc/rfc7578 (multipart/form-data)
 */
export async function* multipart(
  ctx: Context<object, object, object>,
  options: MultipartIteratorOptions = {},
): AsyncGenerator<MultipartPart, void, undefined> {
  const limits = formLimits(options.limits)
  const parser = createParser(ctx, limits)
  const source = ctx.req.stream()
  const queue = new PartQueue()
  wire(parser, queue, limits)
  source.on('error', (error) => {
    queue.fail(error)
    // The same error reaches a file stream being read (an abort, the body limit): its consumer sees why.
    parser.destroy(error)
  })
  source.pipe(parser)
  let current: FilePart | undefined
  try {
    for (;;) {
      // A file nobody started to read would hold busboy (and so the body) forever: discard it.
      if (current?.stream.readableFlowing === null) current.stream.resume()
      const part = await queue.next()
      if (part === undefined) return
      if (part.kind === 'file') current = part
      yield part
    }
  } finally {
    if (!queue.ended) {
      source.unpipe(parser)
      source.destroy()
      parser.destroy()
    }
  }
}
