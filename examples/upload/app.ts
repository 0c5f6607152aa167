/**
 * Uploads with progress, and downloads: a page with a file form whose progress bar follows the upload
 * (XMLHttpRequest `upload.onprogress`), a streaming upload route (`parseMultipart`: files go to disk as
 * they arrive, never into memory, with limits answering 413), and a list of the stored files with download
 * links (`download`: Content-Disposition with the original, unicode-safe name, Range, ETag).
 *
 *   GET  /               → the page
 *   POST /upload         → multipart/form-data (`files`, up to 5 of 200 MiB) → 201 [{ id, filename, size }]
 *   GET  /files          → [{ id, filename, size, uploadedAt }]
 *   GET  /files/:id      → the file as an attachment (206 for a Range)
 *
 * Stored files are named by random ids; the client's file name is only ever shown and sent back in
 * Content-Disposition, never used as a path. Built by a function so tests can run it on port 0. Run it with
 * `npm run example -- upload` and open the printed URL in a browser.
 */
import { randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync } from 'node:fs'
import { rename } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createApp, download, HttpError, parseMultipart, type App } from '../../src/index.js'
import { PAGE } from './page.js'

const MiB = 1024 * 1024

/** One stored upload. */
export interface StoredFile {
  id: string
  filename: string
  size: number
  uploadedAt: string
}

/** Options for {@link buildUploadApp}. */
export interface UploadAppOptions {
  /** Where uploads are kept. @default a fresh directory under os.tmpdir() */
  dir?: string
  /** Logging. @default true */
  logger?: boolean
}

/** Builds the example app; `dir` receives the uploads. */
export function buildUploadApp(options: UploadAppOptions = {}): { app: App; dir: string } {
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'swiftlet-upload-example-'))
  const store = path.join(dir, 'files')
  mkdirSync(store, { recursive: true })
  const catalogue = new Map<string, StoredFile & { path: string }>()
  // Every other route keeps the default 1 MiB body limit; only /upload raises its own (below).
  const app = createApp({ logger: options.logger ?? true })

  app.get('/', (ctx) => ctx.html(PAGE))

  // The route's limit is checked on Content-Length before routing: it allows the largest upload (5 files of
  // 200 MiB, plus room for the multipart framing).
  app.post('/upload', { bodyLimit: 1000 * MiB + MiB }, async (ctx) => {
    // Temporary files land under `dir` (same file system as `store`, so rename() is a move, not a copy).
    const { files } = await parseMultipart(ctx, { dest: dir, limits: { fileSize: 200 * MiB, files: 5 } })
    const stored: StoredFile[] = []
    for (const file of files) {
      const id = randomUUID()
      const target = path.join(store, id)
      await rename(file.path as string, target)
      const entry = { id, filename: file.filename, size: file.size, uploadedAt: new Date().toISOString() }
      catalogue.set(id, { ...entry, path: target })
      stored.push(entry)
    }
    return ctx.json(stored, 201)
  })

  app.get('/files', () => [...catalogue.values()].map(({ path: _path, ...entry }) => entry))

  app.get('/files/:id', async (ctx) => {
    // The client names an id; only ids in the catalogue map to paths (a Map: no prototype keys).
    const entry = catalogue.get(ctx.params.id)
    if (!entry) throw new HttpError(404, 'no such file')
    ctx.header('x-content-type-options', 'nosniff')
    await download(ctx, entry.path, { filename: entry.filename })
  })

  return { app, dir }
}

/** For `npm run example -- upload` (examples/run.ts): the app with uploads kept under os.tmpdir(). */
export function buildApp(): App {
  const { app, dir } = buildUploadApp()
  app.log.info({ dir }, 'uploads are kept in this directory')
  return app
}

/** Shell lines to try (`$URL` is the server's base URL); the page itself is at `$URL/`. */
export const tryIt = [
  'curl -s -F "files=@package.json" -F "files=@README.md" $URL/upload',
  'curl -s $URL/files',
  `curl -s ${' -F "files=@package.json"'.repeat(6)} $URL/upload`,
]
