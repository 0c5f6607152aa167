/** The Router interface every matcher implements (and the shared test suite runs against). */

/** A successful match: the stored value and the raw (still percent-encoded) params. */
export interface RouteMatch<T> {
  readonly value: T
  /** Raw param values by name; the wildcard's is under `*`. A null-prototype object. */
  readonly params: Record<string, string>
}

/**
 * Stores values under (method, pattern) and finds them again. Knows nothing of HTTP: method keys are plain
 * strings and `ALL` matches any of them.
 */
export interface RouteMatcher<T> {
  /**
   * Registers `value` for `method` and `pattern` (`/users/:id`, `/static/*`).
   * @throws RouteError on malformed patterns and on duplicates of the same method and shape.
   */
  add(method: string, pattern: string, value: T): void
  /** Finds the best match for a canonical path, or null. Static beats `:param` beats `*`. */
  match(method: string, path: string): RouteMatch<T> | null
  /** Every method key registered for patterns that match `path` (for 405 `Allow` and OPTIONS). */
  allowed(path: string): Set<string>
}

type Trim<S extends string> = S extends `${infer Head}/` ? Head : S

/**
 * Param names inferred from a path pattern: `'/users/:id/books/:bookId'` → `{ id: string; bookId: string }`,
 * `'/static/*'` → `{ '*': string }`.
 */
export type PathParams<P extends string> = string extends P ? Record<string, string> : Flatten<ParamsOf<P>>

type ParamsOf<P extends string> = P extends `${string}:${infer Rest}`
  ? Rest extends `${infer Name}/${infer Tail}`
    ? { [K in Trim<Name>]: string } & ParamsOf<`/${Tail}`>
    : { [K in Rest]: string }
  : P extends `${string}/*`
    ? { '*': string }
    : unknown

type Flatten<T> = { [K in keyof T]: T[K] }
