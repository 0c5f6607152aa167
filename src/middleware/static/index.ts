/**
 * Static files: validators and conditional GET, single byte ranges, MIME types from `mime-types`, index files,
 * Cache-Control, and path resolution that cannot leave the root. Small bodies are buffered; files and ranges
 * over `maxSize` are streamed from disk with backpressure (src/files/representation.ts, shared with
 * `download`).
 */
import { realpathSync, type Stats } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import type * as MimeTypes from 'mime-types'
import type { MiddlewareHandler } from '../../compose.js'
import type { Context, Params } from '../../context.js'
import { ERR, HttpError } from '../../errors.js'
import { fileRepresentation, sendRepresentation } from '../../files/representation.js'
import { lazyRequire } from '../../lazy.js'
import { isInside, resolveUnder, type DotfilesPolicy } from './resolve.js'

export type { DotfilesPolicy } from './resolve.js'

/** mime-types (and its mime-db) is loaded by the first serveStatic() call, not when Swiftlet is imported. */
const loadMimeTypes = lazyRequire<typeof MimeTypes>('mime-types')

/** Options for {@link serveStatic}. */
export interface StaticOptions {
  /** Directory served. Must exist (resolved with realpath once, at startup). */
  root: string
  /** URL prefix the files live under, e.g. `/assets` (`/assets/app.js` → `<root>/app.js`). @default '' */
  prefix?: string
  /** Files tried, in order, for a directory request (`/docs/`). `false` for none. @default ['index.html'] */
  index?: readonly string[] | false
  /** `max-age` in **seconds** for the default Cache-Control. @default 0 */
  maxAge?: number
  /** Add `immutable` (for fingerprinted file names). @default false */
  immutable?: boolean
  /** A Cache-Control value used as is, or `false` to send none. @default `public, max-age=<maxAge>[, immutable]` */
  cacheControl?: string | false
  /** Send a weak ETag and answer `If-None-Match`. @default true */
  etag?: boolean
  /** Send Last-Modified and answer `If-Modified-Since`. @default true */
  lastModified?: boolean
  /** `.env`, `.git/...`: `'ignore'` (as if absent), `'deny'` (403) or `'allow'`. @default 'ignore' */
  dotfiles?: DotfilesPolicy
  /**
   * Largest body read into memory at once, in **bytes**; bigger files and ranges are streamed from disk
   * with backpressure (a slow client never makes the server hold the file). @default 65536 (64 KiB)
   */
  maxSize?: number
  /**
   * When no file matches (or the path is refused), pass the request on with `next()`, so routes and the
   * 404 handler still answer. `false` answers 404 (refused paths 400/403; other methods 405) here. @default true
   */
  fallthrough?: boolean
}

interface Settings {
  realRoot: string
  prefix: string
  index: readonly string[]
  cacheControl: string | false
  etag: boolean
  lastModified: boolean
  dotfiles: DotfilesPolicy
  maxSize: number
}

function settingsOf(options: StaticOptions): Settings {
  const prefix = (options.prefix ?? '').replace(/\/+$/, '')
  if (prefix !== '' && !prefix.startsWith('/')) throw new TypeError(`serveStatic: prefix must start with "/"`)
  const maxAge = options.maxAge ?? 0
  const defaultCache = `public, max-age=${maxAge}${options.immutable ? ', immutable' : ''}`
  return {
    realRoot: realpathSync(path.resolve(options.root)),
    prefix,
    index: options.index === false ? [] : (options.index ?? ['index.html']),
    cacheControl: options.cacheControl ?? defaultCache,
    etag: options.etag ?? true,
    lastModified: options.lastModified ?? true,
    dotfiles: options.dotfiles ?? 'ignore',
    maxSize: options.maxSize ?? 64 * 1024,
  }
}

/**
 * Serves files from `root` for GET and HEAD. Paths are resolved from `ctx.path`, the canonical path the
 * router matched (RFC 3986 §6.2.2), so a file is found under exactly the path a route would be.
 *
 * @param options - `root` is required; see {@link StaticOptions}.
 * @throws Error from realpath when `root` does not exist; TypeError for a malformed prefix.
 * @see RFC 9110 §8.8 (validators), §13.1.3-§13.1.5 and §15.4.5 (conditional GET, 304), §14 and §15.3.7
 *   (Range, 206), §15.5.17 (416)
 * @example app.use(serveStatic({ root: 'public', prefix: '/assets', maxAge: 3600 }))
 */
export function serveStatic(options: StaticOptions): MiddlewareHandler<object> {
  const settings = settingsOf(options)
  const fallthrough = options.fallthrough ?? true
  loadMimeTypes() // now, not in the first request
  return async function serveStatic(ctx, next) {
    const found = await findFile(ctx, settings)
    if (found === REDIRECTED) return
    if (found === undefined) return next()
    if (found instanceof HttpError) {
      if (fallthrough) return next()
      throw found
    }
    await sendFile(ctx, found.file, found.stat, settings)
  }
}

const REDIRECTED = Symbol('redirected')

interface Found {
  file: string
  stat: Stats
}

async function findFile(
  ctx: Context<Params, object>,
  s: Settings,
): Promise<Found | HttpError | typeof REDIRECTED | undefined> {
  const candidate = resolveUnder(s.realRoot, s.prefix, ctx.path, s.dotfiles)
  if (candidate === undefined) return undefined
  if ('status' in candidate) return new HttpError(candidate.status, `path refused: ${candidate.reason}`)
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
    return new HttpError(405, `${ctx.method} not allowed for static files`, {
      headers: { allow: 'GET, HEAD' },
    })
  }
  const found = await statInside(candidate.file, s.realRoot)
  if (found instanceof HttpError || found === undefined) return found ?? notFound()
  if (!found.stat.isDirectory()) return candidate.directory ? notFound() : found
  if (!candidate.directory) return redirectToDirectory(ctx)
  for (const name of s.index) {
    const index = await statInside(path.join(found.file, name), s.realRoot)
    if (index instanceof HttpError) return index
    if (index?.stat.isFile()) return index
  }
  return notFound()
}

/**
 * realpath + stat; a symlink whose target is outside the root is refused (403). The file is then opened by
 * its realpath, so a link swapped in between is not followed (a directory swapped higher up could still
 * race: keep the root writable only by the deployer).
 */
async function statInside(file: string, realRoot: string): Promise<Found | HttpError | undefined> {
  try {
    const real = await realpath(file)
    if (!isInside(realRoot, real)) return new HttpError(403, 'path refused: symlink out of the root')
    return { file: real, stat: await stat(real) }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG') return undefined
    throw err
  }
}

function notFound(): HttpError {
  return new HttpError(404, 'file not found', { code: ERR.NOT_FOUND })
}

/** `/docs` names a directory: 301 to `/docs/` so relative links in its index resolve (as every server does). */
function redirectToDirectory(ctx: Context<Params, object>): typeof REDIRECTED {
  const query = ctx.req.querystring === '' ? '' : `?${ctx.req.querystring}`
  ctx.redirect(`${ctx.path}/${query}`, 301)
  return REDIRECTED
}

async function sendFile(ctx: Context<Params, object>, file: string, st: Stats, s: Settings): Promise<void> {
  if (s.cacheControl !== false) ctx.header('cache-control', s.cacheControl)
  const type = loadMimeTypes().contentType(path.extname(file)) || 'application/octet-stream'
  const rep = fileRepresentation(file, st, {
    type,
    etag: s.etag,
    lastModified: s.lastModified,
    maxSize: s.maxSize,
  })
  await sendRepresentation(ctx, rep)
}
