/**
 * Helpers for the upload tests: multipart bodies built part by part (large files generated chunk by chunk,
 * never held whole), a streaming HTTP client, and a directory that lists what is left in it.
 */
import { createHash } from 'node:crypto'
import { request } from 'node:http'
import { readdir } from 'node:fs/promises'
import { Readable } from 'node:stream'

export const BOUNDARY = '----swiftlet-test-boundary-7d1c'
export const MULTIPART_TYPE = `multipart/form-data; boundary=${BOUNDARY}`

/** A part: a field, or a file whose bytes are given or generated (`size` bytes of a repeating pattern). */
export type TestPart =
  | { field: string; value: string }
  | { file: string; filename: string; type?: string; content?: Uint8Array | string; size?: number }

/** Deterministic file bytes: 64 KiB blocks of a pattern, so a test can hash what it sent. */
export function* pattern(size: number): Generator<Buffer> {
  const block = Buffer.alloc(64 * 1024)
  for (let i = 0; i < block.length; i++) block[i] = (i * 31 + 7) & 0xff
  for (let sent = 0; sent < size; sent += block.length)
    yield block.subarray(0, Math.min(block.length, size - sent))
}

/** SHA-256 of {@link pattern}(size), hex. */
export function patternHash(size: number): string {
  const hash = createHash('sha256')
  for (const chunk of pattern(size)) hash.update(chunk)
  return hash.digest('hex')
}

function partHead(part: TestPart): string {
  if ('field' in part) return `--${BOUNDARY}\r\ncontent-disposition: form-data; name="${part.field}"\r\n\r\n`
  return (
    `--${BOUNDARY}\r\ncontent-disposition: form-data; name="${part.file}"; filename="${part.filename}"\r\n` +
    `content-type: ${part.type ?? 'application/octet-stream'}\r\n\r\n`
  )
}

/** The multipart body, chunk by chunk. */
export function* multipartChunks(parts: readonly TestPart[]): Generator<Buffer> {
  for (const part of parts) {
    yield Buffer.from(partHead(part))
    if ('field' in part) yield Buffer.from(part.value)
    else if (part.content !== undefined) yield Buffer.from(part.content)
    else yield* pattern(part.size ?? 0)
    yield Buffer.from('\r\n')
  }
  yield Buffer.from(`--${BOUNDARY}--\r\n`)
}

/** Byte length of the body {@link multipartChunks} produces. */
export function multipartLength(parts: readonly TestPart[]): number {
  let length = Buffer.byteLength(`--${BOUNDARY}--\r\n`)
  for (const part of parts) {
    length += Buffer.byteLength(partHead(part)) + 2
    if ('field' in part) length += Buffer.byteLength(part.value)
    else if (part.content !== undefined) length += Buffer.byteLength(part.content)
    else length += part.size ?? 0
  }
  return length
}

/** The whole body in memory (small forms only). */
export function multipartBody(parts: readonly TestPart[]): Buffer {
  return Buffer.concat([...multipartChunks(parts)])
}

/** A response as the streaming client saw it; `error` when the socket failed before one arrived. */
export interface Posted {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
  error?: string
}

/**
 * POSTs a body streamed from `chunks` with a Content-Length, reading the response as soon as it comes
 * (a 413 may arrive before the upload ends). `abortAfter` destroys the request after that many bytes.
 */
export function postStream(
  url: string,
  chunks: Iterable<Buffer>,
  length: number,
  options: { type?: string; abortAfter?: number } = {},
): Promise<Posted> {
  return new Promise((resolve) => {
    const req = request(url, {
      method: 'POST',
      headers: { 'content-type': options.type ?? MULTIPART_TYPE, 'content-length': String(length) },
    })
    let settled = false
    const finish = (result: Posted): void => {
      if (settled) return
      settled = true
      resolve(result)
    }
    req.on('response', (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (text: string) => (body += text))
      res.on('end', () => finish({ status: res.statusCode ?? 0, headers: res.headers, body }))
      res.on('error', () => finish({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', (err: NodeJS.ErrnoException) =>
      finish({ status: 0, headers: {}, body: '', error: err.code ?? err.message }),
    )
    let sent = 0
    const source = Readable.from(chunks)
    source.on('data', (chunk: Buffer) => {
      sent += chunk.length
      if (options.abortAfter !== undefined && sent > options.abortAfter) {
        source.destroy()
        req.destroy()
        finish({ status: 0, headers: {}, body: '', error: 'aborted by the test' })
        return
      }
      if (!req.write(chunk)) source.pause()
    })
    req.on('drain', () => source.resume())
    source.on('end', () => req.end())
  })
}

/** Entries left under `dir` (recursively: the per-request directories and the files in them). */
export async function leftIn(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String)
}
