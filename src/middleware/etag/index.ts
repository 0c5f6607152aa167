/**
 * ETags for dynamic responses and conditional GET: a validator computed from the body, and 304 Not
 * Modified when the client's `If-None-Match` (or `If-Modified-Since`) shows it already has it.
 */
import { createHash } from 'node:crypto'
import type { MiddlewareHandler, Next } from '../../compose.js'
import type { Context as AnyContext, Params } from '../../context.js'
import type { HeaderValue } from '../../response.js'

type Context = AnyContext<Params, object>

/** Options for {@link etag}. */
export interface EtagOptions {
  /**
   * Sends weak validators (`W/"..."`). The tag is a hash of the exact body bytes, so strong is correct
   * (RFC 9110 §8.8.1); choose weak when the same data may be serialised differently. @default false
   */
  weak?: boolean
}

/** A validator for `body`: `"<length in hex>-<sha1 base64url, 27 chars>"`, or its weak form. */
export function computeEtag(body: string | Uint8Array, weak = false): string {
  const hash = createHash('sha1').update(body).digest('base64url')
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength
  return `${weak ? 'W/' : ''}"${length.toString(16)}-${hash}"`
}

/** The opaque part of a tag, for the weak comparison of §8.8.3.2 (`W/"x"` and `"x"` match). */
function opaque(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag
}

/**
 * True when an `If-None-Match` value matches `tag` by weak comparison (RFC 9110 §13.1.2): `*`, or one
 * listed tag with the same opaque part.
 */
export function ifNoneMatchHolds(header: string, tag: string): boolean {
  if (header.trim() === '*') return true
  const wanted = opaque(tag)
  return header.split(',').some((item) => opaque(item.trim()) === wanted)
}

function first(value: HeaderValue | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

/** §13.1.3: only without If-None-Match, and only when Last-Modified is not later than the date given. */
function notModifiedSince(ctx: Context): boolean {
  const since = ctx.req.headers['if-modified-since']
  const modified = first(ctx.res.headers.get('last-modified'))
  if (since === undefined || modified === undefined) return false
  const sinceMs = Date.parse(since)
  const modifiedMs = Date.parse(modified)
  return !Number.isNaN(sinceMs) && !Number.isNaN(modifiedMs) && modifiedMs <= sinceMs
}

/** Turns the response into a 304: same validators and caching headers, no body or content metadata. */
function notModified(ctx: Context): void {
  const { res } = ctx
  res.status = 304
  res.body = null
  // §15.4.5: a 304 carries the headers a 200 would (ETag, Cache-Control, Vary...) but no content.
  res.headers.delete('content-type')
  res.headers.delete('content-encoding')
}

/**
 * ETag middleware for GET and HEAD. On the way out, a 200 with a text or byte body gets an `ETag` unless
 * the handler set one itself; then, when `If-None-Match` matches (weak comparison, RFC 9110 §13.1.2), the
 * answer becomes 304 Not Modified (§15.4.5) without a body. Without `If-None-Match`, `If-Modified-Since`
 * against a `Last-Modified` the handler set is honoured (§13.1.3). Register it inside {@link compression}.
 *
 * @param options - See {@link EtagOptions}.
 * @returns A middleware named `etag`.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-8.8.3
 */
export function etag(options: EtagOptions = {}): MiddlewareHandler<object> {
  const weak = options.weak ?? false
  return async function etag(ctx: Context, next: Next): Promise<void> {
    await next()
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || ctx.res.status !== 200) return
    const { res } = ctx
    let tag = first(res.headers.get('etag'))
    if (tag === undefined) {
      if (!(typeof res.body === 'string' || res.body instanceof Uint8Array)) return // none, or a stream
      tag = computeEtag(res.body, weak)
      res.headers.set('etag', tag)
    }
    const ifNoneMatch = ctx.req.headers['if-none-match']
    if (ifNoneMatch !== undefined ? ifNoneMatchHolds(ifNoneMatch, tag) : notModifiedSince(ctx))
      notModified(ctx)
  }
}
