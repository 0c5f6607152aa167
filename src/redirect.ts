/**
 * Redirects to targets that came from the client (`?next=`, `?to=`, a Referer) without open redirects: a
 * target is parsed the WHATWG way, as a browser will parse the `Location` header, and allowed only when it
 * stays on this origin or goes to an allow-listed host. `ctx.redirect()` stays the raw, trusted form.
 */
import type { Context } from './context.js'
import { ERR, HttpError } from './errors.js'

/** Options for {@link safeRedirect} and {@link redirectTo}. */
export interface SafeRedirectOptions {
  /**
   * Hosts an absolute `http:`/`https:` target may name: `example.com` (that host, any port),
   * `example.com:8443` (that host and port) or `*.example.com` (its subdomains, not itself). Matched
   * case-insensitively against the WHATWG-parsed host. @default [] (same-origin paths only)
   */
  allowHosts?: readonly string[]
}

/** Options for {@link redirectTo}. */
export interface RedirectToOptions extends SafeRedirectOptions {
  /** 301, 302, 303, 307 or 308. @default 302 */
  status?: number
}

// Two bases that cannot both be named by an absolute target: a target resolving onto each of them in turn
// is relative (a path on this origin), whatever tricks it holds.
const BASE_A = 'http://a.swiftlet.invalid'
const BASE_B = 'http://b.swiftlet.invalid'

/**
 * The `Location` value for a client-supplied `target` (RFC 9110 §10.2.2), or `undefined` when following it
 * could leave this site. Parsed as browsers do (WHATWG URL): `\` counts as `/`, tabs and newlines are
 * dropped, `//host` and `/\host` name another host, `user@host` is a host. Allowed:
 * - a same-origin reference (`/account`, `settings?tab=2`), returned as an absolute path with its query
 *   and fragment; leading slashes are collapsed so it can never read as `//host`;
 * - an absolute `http:`/`https:` URL whose host is allow-listed and that carries no credentials, returned
 *   as its WHATWG serialization (so the host a browser sees is the host that was checked).
 * Everything else (`javascript:`, `data:`, other hosts, malformed input) is refused.
 */
export function safeRedirect(
  target: string | null | undefined,
  options: SafeRedirectOptions = {},
): string | undefined {
  if (typeof target !== 'string' || target === '') return undefined
  const relative = sameOriginPath(target)
  if (relative !== undefined) return relative
  const url = parse(target)
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return undefined
  if (url.username !== '' || url.password !== '') return undefined
  return hostAllowed(url, options.allowHosts ?? []) ? url.href : undefined
}

/**
 * Redirects to a client-supplied `target` if {@link safeRedirect} allows it (RFC 9110 §10.2.2, §15.4).
 * @throws HttpError 400 `ERR_BAD_REQUEST` when the target is missing or not allowed; the message does not
 *   echo the target.
 */
export function redirectTo(
  ctx: Context,
  target: string | null | undefined,
  options: RedirectToOptions = {},
): Context {
  const location = safeRedirect(target, options)
  if (location === undefined) {
    throw new HttpError(400, 'redirect target is missing or not allowed', { code: ERR.BAD_REQUEST })
  }
  return ctx.redirect(location, options.status)
}

/**
 * Redirects to the page the client came from when its `Referer` (RFC 9110 §10.1.3) is on this origin
 * (same host as the request's `Host`, or a relative reference), otherwise to `fallback`. The Location is
 * always a path on this origin. `fallback` is trusted: pass a constant.
 * @param status - 301, 302, 303, 307 or 308. @default 302
 */
export function redirectBack(ctx: Context, fallback = '/', status = 302): Context {
  return ctx.redirect(sameOriginReferer(ctx) ?? fallback, status)
}

function sameOriginReferer(ctx: Context): string | undefined {
  const referer = ctx.headers.referer
  if (referer === undefined || referer === '') return undefined
  const relative = sameOriginPath(referer)
  if (relative !== undefined) return relative
  const host = ctx.headers.host
  const url = parse(referer)
  if (!url || host === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) return undefined
  if (url.username !== '' || url.password !== '') return undefined
  const self = parse(`http://${host}`)
  // Compared by host and port only: behind a TLS proxy this server may not know its own scheme.
  if (!self || self.host !== url.host) return undefined
  return pathOf(url)
}

/** The path (with query and fragment) when `target` is a reference on this origin. */
function sameOriginPath(target: string): string | undefined {
  const a = parse(target, BASE_A)
  const b = parse(target, BASE_B)
  if (!a || !b || a.origin !== BASE_A || b.origin !== BASE_B) return undefined
  return pathOf(a)
}

/** `/path?query#hash`, with leading slashes collapsed: `//evil.test` must never leave as a Location. */
function pathOf(url: URL): string {
  return `/${url.pathname.replace(/^\/+/, '')}${url.search}${url.hash}`
}

function hostAllowed(url: URL, allowHosts: readonly string[]): boolean {
  const host = url.host
  const hostname = url.hostname
  return allowHosts.some((entry) => {
    const wanted = entry.trim().toLowerCase()
    if (wanted.startsWith('*.'))
      return hostname.endsWith(wanted.slice(1)) && hostname.length > wanted.length - 1
    return wanted === host || wanted === hostname
  })
}

function parse(input: string, base?: string): URL | undefined {
  try {
    return new URL(input, base)
  } catch {
    return undefined
  }
}
