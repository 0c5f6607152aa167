/**
 * Optional dependencies loaded on first use. `import { createApp } from 'swiftlet'` evaluates every module
 * of the barrel, and static imports of prom-client, piscina, jose, busboy and the small HTTP helpers
 * cost ~10 MB of RSS in a process that never meters, offloads, compresses or parses a form. With these
 * loaders a feature's library is loaded when the feature is created (or first used), never at startup.
 * Keep `import type` for the libraries' types: type-only imports vanish from the emitted JavaScript.
 */
import { createRequire } from 'node:module'

const requireCjs = createRequire(import.meta.url)

/**
 * A loader for the CommonJS package `name`: its first call `require()`s the package, later calls return
 * the cached module (one closure call and a field read, cheap enough for a per-request path). The load is
 * synchronous, so constructors and middleware factories that call it stay synchronous.
 *
 * @typeParam T - The module's type, from a type-only import: `import type * as PromClient from 'prom-client'`
 *   then `lazyRequire<typeof PromClient>('prom-client')`.
 * @param name - A package this project depends on (a literal, never client input), resolved from this file
 *   as a static import would be.
 * @returns The loader. It throws what `require` throws (`MODULE_NOT_FOUND` when the package is not
 *   installed, or the module's own evaluation error); a failed load is not cached, so the next call retries.
 * @example `const loadBusboy = lazyRequire<typeof busboy>('busboy')` then `loadBusboy()({ headers })`
 */
export function lazyRequire<T>(name: string): () => T {
  let loaded: { module: T } | undefined
  return function load(): T {
    loaded ??= { module: requireCjs(name) as T }
    return loaded.module
  }
}

/**
 * A loader for an ES module, for packages that ship no CommonJS build (jose 6 is ESM-only, and Node before
 * 20.19 cannot `require()` an ES module by default). The first call runs `importer` (write it as
 * `() => import('jose')` so type checkers and bundlers see the specifier); later calls share its promise.
 *
 * @param importer - Starts the import.
 * @returns The loader. Its promise rejects with the import's error (package missing, evaluation failed);
 *   a rejected load is forgotten, so the next call retries.
 */
export function lazyImport<T>(importer: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined
  return function load(): Promise<T> {
    pending ??= importer().catch((err: unknown) => {
      pending = undefined
      throw err
    })
    return pending
  }
}
