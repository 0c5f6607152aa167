/** One request's dependencies: the cache, the overrides, and the cleanups to run after the response. */
import type { Context } from '../context.js'
import type { Override, Provider, ProviderFactory } from './provider.js'

type Cleanup = (error: Error | undefined) => Promise<void>

function isGenerator<T>(value: unknown): value is Generator<T, void> | AsyncGenerator<T, void> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Generator).next === 'function' &&
    typeof (value as Generator).throw === 'function'
  )
}

/** @internal Created on a request's first `provider.resolve(ctx)` (or by `app.inject` with overrides). */
export class DependencyScope {
  readonly #cache = new Map<Provider<unknown>, Promise<unknown>>()
  readonly #cleanups: Cleanup[] = []
  readonly #overrides: ReadonlyMap<Provider<unknown>, ProviderFactory<unknown>>

  constructor(overrides: readonly Override[] = []) {
    this.#overrides = new Map(overrides.map((o) => [o.provider, o.factory]))
  }

  /** The cached value of `provider`, made on first use. */
  resolve<T>(provider: Provider<T>, ctx: Context): Promise<T> {
    let value = this.#cache.get(provider as Provider<unknown>)
    if (value === undefined) {
      const factory = (this.#overrides.get(provider as Provider<unknown>) ??
        provider.factory) as ProviderFactory<T>
      value = this.#make(factory, ctx)
      this.#cache.set(provider as Provider<unknown>, value)
    }
    return value as Promise<T>
  }

  async #make<T>(factory: ProviderFactory<T>, ctx: Context): Promise<T> {
    const made = await factory(ctx)
    if (!isGenerator<T>(made)) return made as T
    const first = await made.next()
    if (first.done) throw new Error('a generator provider must yield its value')
    this.#cleanups.push(async (error) => {
      // Like a FastAPI generator dependency: the error (if any) is thrown at the `yield`.
      if (error) await made.throw(error)
      else await made.next()
    })
    return first.value
  }

  /**
   * Runs the cleanups, last made first. A cleanup that fails is logged; the others still run.
   * @param error - The request's error, thrown into generator providers at their `yield`.
   */
  async close(ctx: Context, error: Error | undefined): Promise<void> {
    for (const cleanup of this.#cleanups.reverse()) {
      try {
        await cleanup(error)
      } catch (thrown) {
        if (thrown !== error) ctx.log.error({ err: thrown }, 'dependency cleanup failed')
      }
    }
  }
}
