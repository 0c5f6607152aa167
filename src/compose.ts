/**
 * The onion: koa-compose semantics. Middleware run in the order given; code after `await next()` runs on
 * the way out; not calling `next` short-circuits; calling it twice is an error.
 */
import type { Context, Params, State } from './context.js'
import { ERR, HttpError } from './errors.js'

/** Calls the rest of the chain; resolves when everything downstream has finished. */
export type Next = () => Promise<void>

/**
 * A middleware: `async (ctx, next) => { ...before; await next(); ...after }`.
 * A value it returns (other than `undefined`) becomes the response, as for a handler; an `Error` it returns
 * is thrown.
 */
export type Middleware<C> = (ctx: C, next: Next) => unknown

/**
 * A middleware for any route of an app whose state is `S`: the type to give middleware written outside
 * `app.use(...)`, e.g. `const requireApiKey: MiddlewareHandler = async (ctx, next) => { ... }`.
 */
export type MiddlewareHandler<S extends object = State> = Middleware<Context<Params, S>>

/**
 * A composed chain as the framework runs it: `undefined` when everything finished synchronously (no
 * promise, no tick), a promise otherwise. It may throw synchronously.
 */
export type Chain<C> = (ctx: C, next?: Next) => Promise<void> | undefined

/**
 * Composes middleware into one function. Built once per route at startup, never per request.
 *
 * @param middleware - Run in array order.
 * @param settle - Called with each non-undefined value a middleware returns (the app turns it into the response).
 * @returns `(ctx, next?) => Promise<void>`; `next` runs after the last middleware calls its own `next`.
 * @throws HttpError `ERR_NEXT_CALLED_TWICE` (500) through the returned promise when a middleware calls
 *   `next()` more than once.
 */
export function compose<C>(
  middleware: readonly Middleware<C>[],
  settle: (ctx: C, value: unknown) => void,
): (ctx: C, next?: Next) => Promise<void> {
  const chain = composeChain(middleware, settle)
  return (ctx: C, last?: Next): Promise<void> => {
    try {
      return chain(ctx, last) ?? Promise.resolve()
    } catch (err) {
      return Promise.reject(err)
    }
  }
}

/**
 * @internal {@link compose} for the framework's own chains: a lone synchronous handler (`() => value`)
 * finishes without allocating a promise, so the response can be written inside the core's callback.
 * @throws whatever a synchronous middleware throws (the caller catches it).
 */
export function composeChain<C>(
  middleware: readonly Middleware<C>[],
  settle: (ctx: C, value: unknown) => void,
): Chain<C> {
  for (const fn of middleware) {
    if (typeof fn !== 'function') throw new TypeError('middleware must be a function')
  }
  const chain = middleware.slice()
  const only = chain.length === 1 ? chain[0] : undefined
  if (only) {
    // The common route with no middleware: no per-request Onion. With nothing downstream, calling next()
    // more than once cannot run anything twice, so it only runs `last` (when given) once.
    return (ctx: C, last?: Next): Promise<void> | undefined => {
      if (last) return new Onion(chain, settle, ctx, last).dispatch(0)
      const result = only(ctx, resolved)
      if (result instanceof Promise) {
        return result.then((value) => (value === undefined ? undefined : finish(ctx, value, settle)))
      }
      if (result !== undefined) finish(ctx, result, settle)
      return undefined
    }
  }
  return (ctx: C, last?: Next): Promise<void> => new Onion(chain, settle, ctx, last).dispatch(0)
}

/** @internal The `next` of a chain's last function: nothing downstream. */
export const resolved: Next = () => Promise.resolve()

function settleResult<C>(result: unknown, ctx: C, settle: (ctx: C, value: unknown) => void): Promise<void> {
  if (result instanceof Promise) {
    return result.then((value) => (value === undefined ? undefined : finish(ctx, value, settle)))
  }
  return result === undefined ? Promise.resolve() : Promise.resolve(finish(ctx, result, settle))
}

function finish<C>(ctx: C, value: unknown, settle: (ctx: C, value: unknown) => void): void {
  // A middleware that *returns* an Error (rather than throwing it) still means failure.
  if (value instanceof Error) throw value
  settle(ctx, value)
}

/**
 * One request's walk through a chain. A class rather than closures made per request: it allocates less
 * and keeps stack traces readable.
 */
class Onion<C> {
  #index = -1
  readonly #chain: readonly Middleware<C>[]
  readonly #settle: (ctx: C, value: unknown) => void
  readonly #ctx: C
  readonly #last: Next | undefined

  constructor(
    chain: readonly Middleware<C>[],
    settle: (ctx: C, value: unknown) => void,
    ctx: C,
    last?: Next,
  ) {
    this.#chain = chain
    this.#settle = settle
    this.#ctx = ctx
    this.#last = last
  }

  dispatch(i: number): Promise<void> {
    if (i <= this.#index) {
      return Promise.reject(
        new HttpError(500, 'next() called multiple times', { code: ERR.NEXT_CALLED_TWICE }),
      )
    }
    this.#index = i
    const fn = this.#chain[i]
    if (fn === undefined) return this.#last ? this.#last() : Promise.resolve()
    try {
      return settleResult(
        fn(this.#ctx, () => this.dispatch(i + 1)),
        this.#ctx,
        this.#settle,
      )
    } catch (err) {
      return Promise.reject(err)
    }
  }
}
