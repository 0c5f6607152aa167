/**
 * Typed dependency injection in the spirit of Nexios's `Depend` and FastAPI's `Depends`: a provider is
 * declared once and resolved per request with `await provider.resolve(ctx)`, from routes and middleware.
 */
import type { Context } from '../context.js'
import { DependencyScope } from './scope.js'

/**
 * Makes a provider's value. Sync or async; a generator (sync or async) yields the value once and runs the
 * code after its `yield` (or its `finally`) when the request is over, after the response was written.
 */
export type ProviderFactory<T> = (
  ctx: Context,
) => T | Promise<T> | Generator<T, void, undefined> | AsyncGenerator<T, void, undefined>

/** A dependency: its value is made once per request, on first use, and cached for that request. */
export class Provider<T> {
  /** A name for errors and logs, e.g. `db`. */
  readonly name: string
  /** @internal */ readonly factory: ProviderFactory<T>

  constructor(name: string, factory: ProviderFactory<T>) {
    this.name = name
    this.factory = factory
  }

  /**
   * The value for this request: made on first call (resolving the providers it uses in turn), cached for
   * the rest of the request, overridden when the request was injected with an override for it.
   * @throws whatever the factory throws (the request then fails with it, a 500 unless it is an HttpError).
   */
  resolve(ctx: Context<object, object, object>): Promise<T> {
    const c = ctx as Context
    return (c.scope ??= new DependencyScope()).resolve(this, c)
  }
}

/**
 * Declares a provider.
 * @param name - For errors and logs.
 * @param factory - Makes the value; see {@link ProviderFactory}.
 * @example
 * const db = provide('db', async function* () {
 *   const conn = await pool.connect()
 *   try { yield conn } finally { conn.release() }
 * })
 */
export function provide<T>(name: string, factory: ProviderFactory<T>): Provider<T> {
  return new Provider(name, factory)
}

/** A replacement for one provider, for `app.inject({ overrides })`. */
export interface Override<T = unknown> {
  readonly provider: Provider<T>
  readonly factory: ProviderFactory<T>
}

/** Replaces `provider` with `factory` for an injected request (tests): `override(db, () => fakeDb)`. */
export function override<T>(provider: Provider<T>, factory: ProviderFactory<T>): Override<T> {
  return { provider, factory }
}
