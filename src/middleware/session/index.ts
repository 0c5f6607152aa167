/**
 * Sessions on a signed cookie: the cookie carries only a random id (signed, so ids cannot be guessed or
 * forged); the data lives in a {@link SessionStore}. Rolling expiry, regeneration on login.
 */
import { randomBytes } from 'node:crypto'
import type { MiddlewareHandler } from '../../compose.js'
import { CookieJar, type CookieOptions } from '../cookies/index.js'
import { assertKeys, type SigningKey } from '../cookies/sign.js'
import { MemorySessionStore, type SessionData, type SessionStore } from './store.js'

export {
  MemorySessionStore,
  type MemorySessionStoreOptions,
  type SessionData,
  type SessionStore,
} from './store.js'
export { RedisSessionStore, type RedisSessionStoreOptions } from './redis-store.js'

/** Options for {@link session}. */
export interface SessionOptions {
  /** Keys that sign the session cookie, newest first (rotation: sign with the first, accept any). Required. */
  keys: readonly SigningKey[]
  /** Where data is kept. @default a new {@link MemorySessionStore} */
  store?: SessionStore
  /** Cookie name. @default 'sid' */
  cookieName?: string
  /** Lifetime in **seconds**, for both the store entry and the cookie's Max-Age. @default 86400 (one day) */
  maxAge?: number
  /** Extend the lifetime on every response, so only idle sessions expire. @default true */
  rolling?: boolean
  /** Cookie attributes. @default `{ path: '/', httpOnly: true, sameSite: 'lax' }`; set `secure: true` behind HTTPS */
  cookie?: CookieOptions
}

/** State added by {@link session}: `ctx.state.session`. */
export interface SessionState<T extends SessionData = SessionData> {
  session: Session<T>
}

/** One request's session. Change `data`; it is saved after the handler returns. */
export class Session<T extends SessionData = SessionData> {
  /** The session id (what the signed cookie carries). Changes on {@link regenerate}. */
  id: string
  /** The data, saved when it changed (compared as JSON). */
  data: Partial<T>
  /** True when the request carried no valid session. */
  readonly isNew: boolean
  /** @internal */ readonly loadedJson: string
  /** @internal */ replacedId: string | undefined
  /** @internal */ destroyed = false

  /** @internal Built by the middleware. */
  constructor(id: string, data: Partial<T>, isNew: boolean) {
    this.id = id
    this.data = data
    this.isNew = isNew
    this.loadedJson = isNew ? '{}' : JSON.stringify(data)
  }

  /**
   * A new id and empty data; the old id is destroyed in the store. Call it on login (and on any privilege
   * change) so that an id planted before login is worthless after it (session fixation, OWASP).
   */
  regenerate(): void {
    this.replacedId ??= this.isNew ? undefined : this.id
    this.id = newId()
    this.data = {}
    this.destroyed = false
  }

  /** Forgets the session: the store entry is deleted and the cookie expired (logout). */
  destroy(): void {
    this.destroyed = true
    this.data = {}
  }
}

function newId(): string {
  return randomBytes(32).toString('base64url')
}

/**
 * Session middleware: loads `ctx.state.session` from the signed cookie before `next()`, saves it after.
 * A new session that stays empty sets no cookie and stores nothing. If the handler throws, nothing is saved.
 *
 * @param options - `keys` is required; see {@link SessionOptions}.
 * @throws TypeError when `keys` is missing or empty.
 * @see https://www.rfc-editor.org/rfc/rfc6265#section-4.1 (the cookie); OWASP Session Management (regeneration)
 * @example app.use(session({ keys: [process.env.SESSION_KEY!], maxAge: 3600 }))
 */
export function session(options: SessionOptions): MiddlewareHandler<object> {
  const keys = assertKeys(options.keys, 'session')
  const store = options.store ?? new MemorySessionStore()
  const name = options.cookieName ?? 'sid'
  const maxAge = options.maxAge ?? 86400
  const rolling = options.rolling ?? true
  const jarOptions = { keys, defaults: { ...options.cookie, maxAge } }

  return async function session(ctx, next) {
    const jar = new CookieJar(ctx, jarOptions)
    const current = await load(jar, store, name)
    ;(ctx.state as SessionState).session = current
    await next()
    await save(jar, current, { store, name, maxAge, rolling })
  }
}

async function load(jar: CookieJar, store: SessionStore, name: string): Promise<Session> {
  const id = jar.get(name, { signed: true })
  const data = id === undefined ? undefined : await store.get(id)
  // An unknown or expired id is never reused: the server picks every id (no fixation by the client).
  if (id === undefined || data === undefined) return new Session(newId(), {}, true)
  return new Session(id, data, false)
}

interface SaveSettings {
  store: SessionStore
  name: string
  maxAge: number
  rolling: boolean
}

async function save(jar: CookieJar, s: Session, set: SaveSettings): Promise<void> {
  if (s.replacedId !== undefined) await set.store.destroy(s.replacedId)
  if (s.destroyed) {
    if (!s.isNew) await set.store.destroy(s.id)
    if (jar.all()[set.name] !== undefined) jar.delete(set.name)
    return
  }
  const json = JSON.stringify(s.data)
  const changed = json !== s.loadedJson || s.replacedId !== undefined
  if (s.isNew && json === '{}' && s.replacedId === undefined) return
  if (changed || set.rolling) await set.store.set(s.id, s.data, set.maxAge)
  if (changed || set.rolling || s.isNew) jar.set(set.name, s.id, { signed: true })
}
