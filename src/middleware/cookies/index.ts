/**
 * Cookies: read the request's `Cookie` header, set `Set-Cookie` values, and sign them with HMAC-SHA256
 * with key rotation. Parsing and serialising are the `cookie` package's (RFC 6265).
 */
import { parse, serialize, type SerializeOptions } from 'cookie'
import type { MiddlewareHandler } from '../../compose.js'
import type { Context, Params } from '../../context.js'
import { assertKeys, signValue, unsignValue, type SigningKey } from './sign.js'

export { safeEqual, type SigningKey } from './sign.js'

/**
 * Attributes of a `Set-Cookie` (RFC 6265 §4.1), the `cookie` package's names and units:
 * `maxAge` in **seconds**, `expires` a Date, `sameSite` `'lax' | 'strict' | 'none' | boolean`.
 */
export interface CookieOptions extends SerializeOptions {
  /** Sign the value with the jar's first key (a tampered or unsigned value then reads as undefined). */
  signed?: boolean
}

/** The defaults every `set()` starts from: `{ path: '/', httpOnly: true, sameSite: 'lax' }`. */
export const COOKIE_DEFAULTS: Readonly<CookieOptions> = Object.freeze({
  path: '/',
  httpOnly: true,
  sameSite: 'lax',
})

/** Options for {@link cookies}. */
export interface CookiesOptions {
  /**
   * Signing keys, newest first: values are signed with the first and accepted with any, so a key can be
   * rotated in front without logging everyone out. Needed only for signed cookies.
   */
  keys?: readonly SigningKey[]
  /** Attributes merged over {@link COOKIE_DEFAULTS} for every `set()`, e.g. `{ secure: true }`. */
  defaults?: CookieOptions
}

/** State added by {@link cookies}: `ctx.state.cookies`. */
export interface CookieState {
  cookies: CookieJar
}

/** Reads and writes one request's cookies. */
export class CookieJar {
  readonly #ctx: Context<Params, object>
  readonly #keys: readonly SigningKey[] | undefined
  readonly #defaults: CookieOptions
  #parsed: Record<string, string | undefined> | undefined

  /**
   * @param ctx - The request whose `Cookie` header is read and whose response gets `Set-Cookie`.
   * @param options - Signing keys and default attributes.
   */
  constructor(ctx: Context<Params, object>, options: CookiesOptions = {}) {
    this.#ctx = ctx
    this.#keys = options.keys
    this.#defaults = { ...COOKIE_DEFAULTS, ...options.defaults }
  }

  /** Every cookie the request carried, by name (raw values; signed ones still carry their signature). */
  all(): Readonly<Record<string, string | undefined>> {
    return (this.#parsed ??= parse(this.#ctx.req.headers.cookie ?? ''))
  }

  /**
   * One cookie's value. With `{ signed: true }`, the value only when its signature matches one of the keys;
   * a value signed with an older key is re-set with the current one (rotation).
   * @throws TypeError when `signed` is asked for and the jar has no keys.
   */
  get(name: string, options: { signed?: boolean } = {}): string | undefined {
    const raw = this.all()[name]
    if (!options.signed) return raw
    const keys = this.#signingKeys()
    if (raw === undefined) return undefined
    const unsigned = unsignValue(keys, name, raw)
    if (unsigned?.stale) this.set(name, unsigned.value, { signed: true })
    return unsigned?.value
  }

  /**
   * Adds a `Set-Cookie` to the response, replacing one this request already set for the same name.
   * @throws TypeError for an invalid name or attribute (the `cookie` package's checks), or `signed` without keys.
   */
  set(name: string, value: string, options: CookieOptions = {}): this {
    const { signed, ...attributes } = { ...this.#defaults, ...options }
    const stored = signed ? signValue(this.#signingKeys(), name, value) : value
    const line = serialize(name, stored, attributes)
    this.#dropPending(name)
    this.#ctx.appendHeader('set-cookie', line)
    return this
  }

  /** Expires a cookie in the browser (empty value, `Max-Age=0`, `Expires` in 1970). Match its path and domain. */
  delete(name: string, options: CookieOptions = {}): this {
    return this.set(name, '', { ...options, signed: false, maxAge: 0, expires: new Date(0) })
  }

  #signingKeys(): readonly SigningKey[] {
    return assertKeys(this.#keys, 'cookies')
  }

  #dropPending(name: string): void {
    const headers = this.#ctx.res.headers
    const current = headers.get('set-cookie')
    if (current === undefined) return
    const kept = (Array.isArray(current) ? current : [current]).filter((line) => !line.startsWith(`${name}=`))
    if (kept.length === 0) headers.delete('set-cookie')
    else headers.set('set-cookie', kept.length === 1 ? (kept[0] as string) : kept)
  }
}

/**
 * Puts a {@link CookieJar} on `ctx.state.cookies` (type the app with `createApp<CookieState>()`): `ctx.state.cookies.get('theme')`,
 * `ctx.state.cookies.set('sid', id, { signed: true, maxAge: 3600 })`.
 *
 * @param options - `keys` (newest first) for signed cookies; `defaults` for every `set()`.
 * @throws TypeError when a key is empty.
 * @see https://www.rfc-editor.org/rfc/rfc6265#section-4.1 (Set-Cookie) and §5.4 (Cookie)
 * @example app.use(cookies({ keys: [process.env.COOKIE_KEY!] }))
 */
export function cookies(options: CookiesOptions = {}): MiddlewareHandler<object> {
  if (options.keys) assertKeys(options.keys, 'cookies')
  return async function cookies(ctx, next) {
    ;(ctx.state as CookieState).cookies = new CookieJar(ctx, options)
    await next()
  }
}
