/**
 * Security headers with helmet-like defaults: CSP, HSTS, X-Content-Type-Options, frame options, referrer
 * policy, COOP/CORP. Each can be replaced with a value of its own or turned off with `false`.
 */
import type { MiddlewareHandler, Next } from '../../compose.js'
import type { Context as AnyContext, Params } from '../../context.js'
import { assertValidHeader } from '../../response.js'

type Context = AnyContext<Params, object>

/** HSTS settings (RFC 6797 §6.1). */
export interface HstsOptions {
  /** Seconds browsers keep to HTTPS. @default 31536000 (365 days) */
  maxAge?: number
  /** Applies to subdomains too. @default true */
  includeSubDomains?: boolean
  /** Adds `preload` (submit the domain to the preload list separately). @default false */
  preload?: boolean
}

/** Options for {@link securityHeaders}. A string replaces the default value; `false` omits the header. */
export interface SecurityHeadersOptions {
  /** `Content-Security-Policy` (CSP Level 3): a string, or directives by name. @default {@link DEFAULT_CSP} */
  contentSecurityPolicy?: string | Record<string, readonly string[]> | false
  /** `Strict-Transport-Security` (RFC 6797). @default max-age=31536000; includeSubDomains */
  strictTransportSecurity?: HstsOptions | string | false
  /** `X-Content-Type-Options`. @default 'nosniff' */
  xContentTypeOptions?: string | false
  /** `X-Frame-Options` (RFC 7034). @default 'SAMEORIGIN' */
  xFrameOptions?: 'DENY' | 'SAMEORIGIN' | false
  /** `Referrer-Policy`. @default 'no-referrer' */
  referrerPolicy?: string | false
  /** `Cross-Origin-Opener-Policy`. @default 'same-origin' */
  crossOriginOpenerPolicy?: string | false
  /** `Cross-Origin-Resource-Policy`. @default 'same-origin' */
  crossOriginResourcePolicy?: string | false
  /** `X-DNS-Prefetch-Control`. @default 'off' */
  xDnsPrefetchControl?: string | false
  /** `X-Permitted-Cross-Domain-Policies`. @default 'none' */
  xPermittedCrossDomainPolicies?: string | false
  /** `Origin-Agent-Cluster`. @default '?1' */
  originAgentCluster?: string | false
}

/** The default CSP directives (helmet's): same-origin everything, no plugins, no framing by others. */
export const DEFAULT_CSP: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'font-src': ["'self'", 'https:', 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", 'https:', "'unsafe-inline'"],
  'upgrade-insecure-requests': [],
})

function cspValue(value: SecurityHeadersOptions['contentSecurityPolicy']): string | false {
  if (value === false || typeof value === 'string') return value
  return Object.entries(value ?? DEFAULT_CSP)
    .map(([name, sources]) => [name, ...sources].join(' '))
    .join('; ')
}

function hstsValue(value: SecurityHeadersOptions['strictTransportSecurity']): string | false {
  if (value === false || typeof value === 'string') return value
  const { maxAge = 31536000, includeSubDomains = true, preload = false } = value ?? {}
  if (!Number.isInteger(maxAge) || maxAge < 0) throw new RangeError('hsts maxAge must be whole seconds >= 0')
  return `max-age=${maxAge}${includeSubDomains ? '; includeSubDomains' : ''}${preload ? '; preload' : ''}`
}

/**
 * The headers {@link securityHeaders} would send for `options`, by lower-cased name.
 * @throws RangeError for a negative or fractional HSTS `maxAge`.
 */
export function securityHeaderValues(options: SecurityHeadersOptions = {}): Map<string, string> {
  const entries: [string, string | false][] = [
    ['content-security-policy', cspValue(options.contentSecurityPolicy)],
    ['strict-transport-security', hstsValue(options.strictTransportSecurity)],
    ['x-content-type-options', options.xContentTypeOptions ?? 'nosniff'],
    ['x-frame-options', options.xFrameOptions ?? 'SAMEORIGIN'],
    ['referrer-policy', options.referrerPolicy ?? 'no-referrer'],
    ['cross-origin-opener-policy', options.crossOriginOpenerPolicy ?? 'same-origin'],
    ['cross-origin-resource-policy', options.crossOriginResourcePolicy ?? 'same-origin'],
    ['x-dns-prefetch-control', options.xDnsPrefetchControl ?? 'off'],
    ['x-permitted-cross-domain-policies', options.xPermittedCrossDomainPolicies ?? 'none'],
    ['origin-agent-cluster', options.originAgentCluster ?? '?1'],
  ]
  return new Map(entries.filter((entry): entry is [string, string] => entry[1] !== false))
}

/**
 * Security headers middleware. Headers are set before `next()`, so error responses carry them too, and a
 * handler can still override one for its own response (`ctx.header('content-security-policy', ...)`).
 * HSTS is ignored by browsers over plain HTTP (RFC 6797 §8.1), so it is safe to send behind a TLS proxy.
 *
 * @param options - See {@link SecurityHeadersOptions}.
 * @returns A middleware named `securityHeaders`.
 * @throws RangeError for a negative or fractional HSTS `maxAge`; HttpError `ERR_INVALID_HEADER` for a value
 *   with CR, LF or NUL.
 * @see https://www.rfc-editor.org/rfc/rfc6797 (HSTS), https://www.w3.org/TR/CSP3/
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): MiddlewareHandler<object> {
  const headers = [...securityHeaderValues(options)]
  // Checked once here, so the per-request path can write the map directly.
  for (const [name, value] of headers) assertValidHeader(name, value)
  return async function securityHeaders(ctx: Context, next: Next): Promise<void> {
    const target = ctx.res.headers
    for (const [name, value] of headers) target.set(name, value)
    await next()
  }
}
