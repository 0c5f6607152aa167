/**
 * `parseMultipart()`: a whole multipart/form-data request, its files streamed to a temporary directory (or
 * to a sink of the caller's) as they arrive, never held whole in memory on the uWS core (the node cores read
 * the body whole first, up to the route's body limit: docs/streaming.md). Temporary files are removed when the
 * upload fails (a limit, malformed input, the client leaving) and, by default, after the response.
 */
import { randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Transform, type Readable, type Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Context } from '../context.js'
import { provide } from '../di/provider.js'
import { isHttpError } from '../errors.js'
import { addField, type FormFields, type FormLimits } from './limits.js'
import { malformed, multipart, type FilePart } from './multipart.js'

/** What is known of an uploaded file before its bytes are read. */
export interface FileInfo {
  /** The form field's name. */
  fieldName: string
  /** The client's file name, sanitised: for display and Content-Disposition, never a path. */
  filename: string
  /** As the client declared it (not checked against the content). */
  mimeType: string
}

/** An uploaded file, once all of it was stored. */
export interface UploadedFile extends FileInfo {
  /** Bytes received. */
  size: number
  /** Where it was stored (a random name in a fresh temporary directory); undefined with a `sink`. */
  path: string | undefined
  /** What the sink's promise resolved to (an object key, say); undefined otherwise. */
  result?: unknown
}

/**
 * Takes one file's bytes: return a Writable (it is piped into, with backpressure) or a promise that
 * settles once `stream` was consumed (e.g. an upload to object storage). The stream errors with HttpError
 * 413 when the file goes over `limits.fileSize`: let that reject the promise.
 */
export type FileSink = (file: FileInfo, stream: Readable) => Writable | Promise<unknown>

/** Options for {@link parseMultipart}. */
export interface MultipartOptions {
  /** Limits; see `FormLimits` for the defaults (10 MiB per file, 10 files, 100 fields of 100 KiB). */
  limits?: Partial<FormLimits>
  /** Directory under which a fresh temporary directory is made for this request. @default os.tmpdir() */
  dest?: string
  /** Send files here instead of to disk (then `path` is undefined and `cleanup` removes nothing). */
  sink?: FileSink
  /**
   * `'after-response'`: the temporary files are removed once the response was written (move or copy what
   * you keep before returning). `'manual'`: they stay until you call `cleanup()`.
   * @default 'after-response'
   */
  cleanup?: 'after-response' | 'manual'
}

/** What {@link parseMultipart} read. */
export interface MultipartResult {
  /** Non-file fields (a null-prototype record; a repeated name gives an array, in order). */
  fields: FormFields
  /** Files in arrival order. */
  files: UploadedFile[]
  /** Removes the temporary directory and its files. Safe to call more than once; never rejects. */
  cleanup(): Promise<void>
}

/** Cleanups run after the response was written (a generator provider's code after `yield`). */
const afterResponse = provide('swiftlet:upload-cleanup', async function* uploadCleanup() {
  const tasks: Array<() => Promise<void>> = []
  try {
    yield tasks
  } finally {
    for (const task of tasks) await task()
  }
})

/** Counts the bytes that pass through. */
function counter(): Transform & { bytes: number } {
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      stream.bytes += chunk.length
      done(null, chunk)
    },
  }) as Transform & { bytes: number }
  stream.bytes = 0
  return stream
}

/** A lazily created temporary directory holding random file names. */
class TempDir {
  #dir: Promise<string> | undefined
  readonly #parent: string

  constructor(parent: string) {
    this.#parent = parent
  }

  async file(): Promise<string> {
    this.#dir ??= mkdtemp(path.join(this.#parent, 'swiftlet-upload-'))
    return path.join(await this.#dir, randomUUID())
  }

  readonly remove = async (): Promise<void> => {
    const dir = this.#dir
    this.#dir = undefined
    if (dir) await rm(await dir, { recursive: true, force: true }).catch(() => undefined)
  }
}

async function store(part: FilePart, temp: TempDir, sink: FileSink | undefined): Promise<UploadedFile> {
  const { fieldName, filename, mimeType } = part
  const info: FileInfo = { fieldName, filename, mimeType }
  const count = counter()
  try {
    if (sink) {
      const target = sink(info, part.stream.pipe(count))
      part.stream.once('error', (error) => count.destroy(error))
      const result = isWritable(target) ? await pipeline(count, target) : await target
      if (!count.readableEnded) throw part.stream.errored ?? new Error('the sink did not read the whole file')
      return { ...info, size: count.bytes, path: undefined, result }
    }
    const file = await temp.file()
    // `wx`: never follow or overwrite anything already there (the name is random anyway).
    await pipeline(part.stream, count, createWriteStream(file, { flags: 'wx' }))
    return { ...info, size: count.bytes, path: file }
  } catch (error) {
    // busboy's own failures (a body cut short) are plain Errors: they are the client's, a 400.
    const fromParser = part.stream.errored
    throw fromParser && !isHttpError(fromParser) ? malformed(fromParser) : (fromParser ?? error)
  }
}

function isWritable(value: unknown): value is Writable {
  return typeof (value as Writable | undefined)?.write === 'function'
}

/**
 * Reads a multipart/form-data request, streaming each file to a random name in a fresh temporary directory
 * (`mkdtemp` under `dest`) or to `sink`, with backpressure on the uWS core: a slow disk pauses the socket
 * instead of filling memory (the node cores buffer the body first, up to the route's body limit). On any
 * failure the files written so far are removed before the error is thrown.
 *
 * ```ts
 * app.post('/upload', async (ctx) => {
 *   const { fields, files } = await parseMultipart(ctx, { limits: { fileSize: 100 * 1024 * 1024 } })
 *   for (const file of files) await rename(file.path!, `/srv/uploads/${randomUUID()}`)
 *   return { title: fields.title, files: files.map((f) => ({ name: f.filename, size: f.size })) }
 * })
 * ```
 *
 * The whole body is also bounded by the request's body limit (the route's `bodyLimit` option or middleware,
 * else the app's `limits.body`; checked on the declared Content-Length before routing): raise it on the upload
 * route for large uploads.
 * @throws HttpError 413 `ERR_FORM_LIMIT` naming the limit (`fileSize`, `files`, `fields`, `fieldSize`,
 *   `fieldNameSize`, `parts`) and 413 `ERR_BODY_TOO_LARGE`; 400 `ERR_MALFORMED_MULTIPART`; 415
 *   `ERR_UNSUPPORTED_MEDIA_TYPE`; 400 `ERR_CLIENT_ABORTED` when the client leaves; whatever the sink or
 *   the file system throws (a 500).
 * @see https://www.rfc-editor.org/rfc/rfc7578
 */
export async function parseMultipart(
  ctx: Context<object, object, object>,
  options: MultipartOptions = {},
): Promise<MultipartResult> {
  const temp = new TempDir(options.dest ?? tmpdir())
  if ((options.cleanup ?? 'after-response') === 'after-response') {
    ;(await afterResponse.resolve(ctx)).push(temp.remove)
  }
  const fields: FormFields = Object.create(null) as FormFields
  const files: UploadedFile[] = []
  try {
    const parts = multipart(ctx, options.limits ? { limits: options.limits } : {})
    for await (const part of parts) {
      if (part.kind === 'field') addField(fields, part.name, part.value)
      else files.push(await store(part, temp, options.sink))
    }
  } catch (error) {
    await temp.remove()
    throw error
  }
  return { fields, files, cleanup: temp.remove }
}
