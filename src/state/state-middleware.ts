/**
 * Typed state from the middleware that sets it: a middleware declares what it adds to `ctx.state`, and
 * `router.group(middleware)` returns a router whose handlers see those keys typed.
 */
import type { Middleware } from '../compose.js'
import type { Context, Params, State } from '../context.js'

declare const ADDS: unique symbol

/** A middleware that sets the keys of `A` on `ctx.state` (made by {@link stateMiddleware}). */
export type StateMiddleware<A extends object> = Middleware<Context<Params, State & Partial<A>>> & {
  /** Type-only: the state this middleware adds. Never set at runtime. */
  readonly [ADDS]?: A
}

/**
 * Declares what a middleware adds to `ctx.state`. Inside it the keys are optional (they are not set yet);
 * handlers of a `group()` built on it see them as set.
 * @example
 * const requireUser = stateMiddleware<{ user: User }>(async (ctx, next) => {
 *   ctx.state.user = await authenticate(ctx)
 *   await next()
 * })
 * const authed = app.group(requireUser)
 * authed.get('/me', (ctx) => ctx.state.user.name) // typed: User
 */
export function stateMiddleware<A extends object>(
  fn: Middleware<Context<Params, State & Partial<A>>>,
): StateMiddleware<A> {
  return fn as StateMiddleware<A>
}
