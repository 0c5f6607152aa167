/**
 * The onion: koa-compose semantics. Middleware run in the order given; code after `await next()` runs on
 * the way out; not calling `next` short-circuits; calling it twice is an error.
 */
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
  for (const fn of middleware) {
    if (typeof fn !== 'function') throw new TypeError('middleware must be a function')
  }
  const chain = middleware.slice()
  return function composed(ctx: C, last?: Next): Promise<void> {
    let index = -1
    function dispatch(i: number): Promise<void> {
      if (i <= index) {
        return Promise.reject(
          new HttpError(500, 'next() called multiple times', { code: ERR.NEXT_CALLED_TWICE }),
        )
      }
      index = i
      const fn = chain[i]
      if (fn === undefined) return last ? last() : Promise.resolve()
      try {
        const result = fn(ctx, () => dispatch(i + 1))
        if (result instanceof Promise) return result.then((value) => finish(ctx, value))
        return Promise.resolve(finish(ctx, result))
      } catch (err) {
        return Promise.reject(err)
      }
    }
    return dispatch(0)
  }

  function finish(ctx: C, value: unknown): void {
    if (value === undefined) return
    // A middleware that *returns* an Error (rather than throwing it) still means failure.
    if (value instanceof Error) throw value
    settle(ctx, value)
  }
}
