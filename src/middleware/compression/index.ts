/**
 * Response compression: gzip and brotli through node:zlib, the encoding chosen from `Accept-Encoding` by
 * the `negotiator` package (RFC 9110 §12.5.3), for bodies above a threshold whose type compresses well.
 */
import type compressible from 'compressible'
import { promisify } from 'node:util'
import type * as Zlib from 'node:zlib'
import type { BrotliOptions, ZlibOptions } from 'node:zlib'
import type Negotiator from 'negotiator'
import type { MiddlewareHandler, Next } from '../../compose.js'
import type { Context as AnyContext, Params } from '../../context.js'
import { lazyRequire } from '../../lazy.js'
import { isBodylessStatus, type HeaderValue } from '../../response.js'
import { appendVary } from '../cors/vary.js'

// Loaded by the first compression() or isCompressible() call, not when Swiftlet is imported (startup RSS).
const loadCompressible = lazyRequire<typeof compressible>('compressible')
const loadNegotiator = lazyRequire<typeof Negotiator>('negotiator')
const loadZlib = lazyRequire<typeof Zlib>('node:zlib')

type Context = AnyContext<Params, object>

/** An encoding this middleware produces. */
export type Encoding = 'br' | 'gzip'

/** Options for {@link compression}. */
export interface CompressionOptions {
  /** Bodies smaller than this (bytes) are sent as they are. @default 1024 */
  threshold?: number
  /** Encodings offered, most preferred first (used when the client weighs several equally). @default ['br', 'gzip'] */
  encodings?: readonly Encoding[]
  /** Brotli quality 0-11; 4 suits dynamic responses (11 is for assets compressed once). @default 4 */
  brotliQuality?: number
  /** gzip level 1-9. @default 6 */
  gzipLevel?: number
  /** Which content types are compressed. @default what mime-db marks compressible (the `compressible` package), and text/* */
  filter?: (contentType: string) => boolean
}

/**
 * The default filter: what mime-db (via the `compressible` package) marks compressible, plus any text/*; never
 * `text/event-stream`, which must flow unbuffered.
 */
export function isCompressible(contentType: string): boolean {
  if (/^text\/event-stream\b/i.test(contentType)) return false
  return loadCompressible()(contentType) === true || /^text\//i.test(contentType)
}

// @types/negotiator lags the package: negotiator@1 takes `preferred` to break ties between equal q-values.
type EncodingChooser = (
  available: readonly string[],
  options: { preferred: readonly string[] },
) => string | undefined

function first(value: HeaderValue | undefined): string {
  return value === undefined ? '' : Array.isArray(value) ? (value[0] ?? '') : value
}

/** True when the response may be compressed at all (whatever the client accepts). */
function eligible(ctx: Context, threshold: number, filter: (type: string) => boolean): boolean {
  const { res } = ctx
  const body = res.body
  if (!(typeof body === 'string' || body instanceof Uint8Array)) return false // none, or a stream
  if (isBodylessStatus(res.status) || res.headers.has('content-encoding')) return false
  if (/\bno-transform\b/i.test(first(res.headers.get('cache-control')))) return false // RFC 9111 §5.2.2.6
  if (!filter(first(res.headers.get('content-type')))) return false
  return (typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength) >= threshold
}

/**
 * Compression middleware. On the way out it compresses a text or byte body of a compressible type when it
 * is at least `threshold` bytes, the client accepts gzip or br, and the response carries no
 * `Content-Encoding` yet. Such responses always get `Vary: Accept-Encoding` (§12.5.5), compressed or not.
 * HEAD requests, 1xx/204/304 answers, event streams, streamed bodies and `Cache-Control: no-transform`
 * responses are left alone. A strong `ETag` is weakened (`W/`) on a compressed response, since the bytes
 * differ from the ones it names (§8.8.3). Register it before {@link etag} so that 304s are decided on the
 * uncompressed body.
 *
 * @param options - See {@link CompressionOptions}.
 * @returns A middleware named `compression`.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-8.4 (Content-Encoding)
 */
export function compression(options: CompressionOptions = {}): MiddlewareHandler<object> {
  const threshold = options.threshold ?? 1024
  const offered = options.encodings ?? ['br', 'gzip']
  const filter = options.filter ?? isCompressible
  // Loaded now rather than by the first request (which would pay for the require).
  const zlib = loadZlib()
  const gzipAsync = promisify<Buffer, ZlibOptions, Buffer>(zlib.gzip)
  const brotliAsync = promisify<Buffer, BrotliOptions, Buffer>(zlib.brotliCompress)
  const brotliOptions: BrotliOptions = {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: options.brotliQuality ?? 4 },
  }
  const gzipOptions: ZlibOptions = { level: options.gzipLevel ?? 6 }
  const Negotiator = loadNegotiator()
  if (filter === isCompressible) loadCompressible()

  function choose(ctx: Context): Encoding | undefined {
    const negotiator = new Negotiator({ headers: { 'accept-encoding': ctx.req.headers['accept-encoding'] } })
    const encoding = (negotiator.encoding as unknown as EncodingChooser).call(
      negotiator,
      [...offered, 'identity'],
      {
        preferred: offered,
      },
    )
    return encoding === 'br' || encoding === 'gzip' ? encoding : undefined
  }

  return async function compression(ctx: Context, next: Next): Promise<void> {
    await next()
    if (!eligible(ctx, threshold, filter)) return
    appendVary(ctx, 'Accept-Encoding')
    if (ctx.method === 'HEAD') return
    const encoding = choose(ctx)
    if (encoding === undefined) return
    const { res } = ctx
    const body = res.body as string | Uint8Array
    // A view on the same memory, not a copy.
    const input =
      typeof body === 'string'
        ? Buffer.from(body)
        : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
    res.body =
      encoding === 'br' ? await brotliAsync(input, brotliOptions) : await gzipAsync(input, gzipOptions)
    ctx.header('content-encoding', encoding)
    const tag = first(res.headers.get('etag'))
    if (tag.startsWith('"')) ctx.header('etag', `W/${tag}`)
  }
}
