/**
 * Freezing routes: flattens a tree of Routers into one segment tree, composing each route's chain (router
 * middleware, route middleware, handler, router error handlers) once, so no request pays for it.
 */
import { composeChain, resolved, type Chain, type Middleware } from '../compose.js'
import type { Context } from '../context.js'
import { statusOf } from '../error-response.js'
import { asError } from '../errors.js'
import { bodyLimitOf, parseBytes } from '../middleware/body-limit/index.js'
import { joinPaths } from './path.js'
import type { ErrorHandler, Method, RouteRecord, Router } from './router.js'
import { RouteError, SegmentTree } from './segment-tree.js'

/** A route ready to serve. */
export interface CompiledRoute {
  readonly method: Method
  /** Full pattern, prefixes included. */
  readonly pattern: string
  /** `undefined` when the route finished synchronously. */
  readonly run: Chain<Context>
  /** Body limit in bytes from the route's `bodyLimit` option or bodyLimit() middleware; undefined: the app's. */
  readonly bodyLimit: number | undefined
}

/** A router's not-found handler and the prefix it covers. */
export interface PrefixNotFound {
  readonly prefix: string
  readonly run: Chain<Context>
}

/** Everything the App needs to dispatch. */
export interface RouteTable {
  readonly tree: SegmentTree<CompiledRoute>
  /** Route name → full pattern, for `urlFor`. */
  readonly names: ReadonlyMap<string, string>
  /** Longest prefix first. */
  readonly notFound: readonly PrefixNotFound[]
  /** True when some route has a body limit of its own (cores then look it up before routing). */
  readonly bodyLimits: boolean
}

/** Turns a returned value into the response. */
export type Settle = (ctx: Context, value: unknown) => void

/**
 * Extra steps a route's options ask for (validation before the handler, response checks around it), built
 * once per route when routes freeze. Returns the handler (possibly wrapped) and the middleware to run just
 * before it; routes without schemas get `undefined` and pay nothing.
 */
export type RouteSteps = (
  route: RouteRecord,
  handler: Middleware<Context>,
) => { readonly before: Middleware<Context> | undefined; readonly handler: Middleware<Context> } | undefined

interface Scope {
  prefix: string
  middleware: Middleware<Context>[]
  errorHandlers: ErrorHandler<object>[]
}

/**
 * Compiles `root` and its children. The root's own middleware and handlers are app-level and are not part
 * of route chains; the App wraps them around dispatch.
 * @param steps - Builds each route's validation steps (see {@link RouteSteps}).
 * @throws RouteError on duplicate routes or names.
 */
export function compileRoutes(root: Router<object>, settle: Settle, steps?: RouteSteps): RouteTable {
  const tree = new SegmentTree<CompiledRoute>()
  const names = new Map<string, string>()
  const notFound: PrefixNotFound[] = []
  // bodyLimit() in app.use() is the base for every route; it still runs there (unmatched requests too).
  const appLimit = lastLimit(root.middleware)
  let bodyLimits = appLimit !== undefined
  const visit = (router: Router<object>, parent: Scope, isRoot: boolean): void => {
    const scope: Scope = isRoot
      ? { prefix: router.prefix, middleware: [], errorHandlers: [] }
      : {
          prefix: joinPaths(parent.prefix, router.prefix),
          middleware: [...parent.middleware, ...router.middleware],
          errorHandlers: router.errorHandler
            ? [router.errorHandler, ...parent.errorHandlers]
            : parent.errorHandlers,
        }
    for (const route of router.routes) {
      const pattern = joinPaths(scope.prefix, route.path)
      const handlers = [...route.handlers]
      let handler = handlers.pop() as Middleware<Context>
      const bodyLimit = routeLimit(route, handlers, scope.middleware) ?? appLimit
      if (bodyLimit !== undefined) bodyLimits = true
      // Validation sits after app, router and route middleware, right before the handler.
      const extra = steps?.(route, handler)
      if (extra?.before) handlers.push(extra.before)
      if (extra) handler = extra.handler
      handlers.push(wrapHandler(handler))
      // bodyLimit() middleware is compiled into `bodyLimit` (dispatch applies it), not run per request.
      const middleware = [...scope.middleware, ...handlers].filter((fn) => bodyLimitOf(fn) === undefined)
      const chain = middleware.length === 1 ? handlerOnly(handler, settle) : composeChain(middleware, settle)
      tree.add(route.method, pattern, {
        method: route.method,
        pattern,
        run: withErrorHandlers(chain, scope.errorHandlers, settle),
        bodyLimit,
      })
      if (route.name !== undefined) {
        if (names.has(route.name)) throw new RouteError(`duplicate route name "${route.name}"`)
        names.set(route.name, pattern)
      }
    }
    if (router.notFoundHandler) {
      const handler = router.notFoundHandler
      const notFoundChain = async (ctx: Context): Promise<void> => {
        ctx.res.status = 404
        settleValue(settle, ctx, await handler(ctx))
      }
      notFound.push({
        prefix: scope.prefix,
        run: withErrorHandlers(notFoundChain, scope.errorHandlers, settle),
      })
    }
    for (const child of router.children) visit(child, scope, false)
  }
  visit(root, { prefix: '', middleware: [], errorHandlers: [] }, true)
  notFound.sort((a, b) => b.prefix.length - a.prefix.length)
  return { tree, names, notFound, bodyLimits }
}

/**
 * A route's own body limit: its `bodyLimit` option, else the bodyLimit() middleware closest to the handler.
 * @throws RangeError for an invalid `bodyLimit` option.
 */
function routeLimit(
  route: RouteRecord,
  handlers: readonly Middleware<Context>[],
  scope: readonly Middleware<Context>[],
): number | undefined {
  const option = route.options.bodyLimit
  if (option !== undefined) return parseBytes(option)
  return lastLimit(handlers) ?? lastLimit(scope)
}

function lastLimit(middleware: readonly Middleware<Context>[]): number | undefined {
  for (let i = middleware.length - 1; i >= 0; i--) {
    const limit = bodyLimitOf(middleware[i])
    if (limit !== undefined) return limit
  }
  return undefined
}

/** Route name → full pattern, computed without freezing anything (for `urlFor` during setup). */
export function routeNames(root: Router<object>): Map<string, string> {
  const names = new Map<string, string>()
  const visit = (router: Router<object>, prefix: string): void => {
    for (const route of router.routes) {
      if (route.name !== undefined && !names.has(route.name))
        names.set(route.name, joinPaths(prefix, route.path))
    }
    for (const child of router.children) visit(child, joinPaths(prefix, child.prefix))
  }
  visit(root, root.prefix)
  return names
}

/**
 * The handler is the last function of a route: `undefined` from it means "no content" (204) unless it
 * already responded or set a status of its own.
 */
function wrapHandler(handler: Middleware<Context>): Middleware<Context> {
  // Not an async function: an async wrapper would add a promise and a tick to every request.
  return function handlerResult(ctx, next) {
    const value = handler(ctx, next)
    return value instanceof Promise ? value.then((settled) => noContent(ctx, settled)) : noContent(ctx, value)
  }
}

/**
 * The chain of a route that is a lone handler (no middleware, no validation): the same semantics as
 * `composeChain([wrapHandler(handler)])` with one `.then` instead of two, so a request awaiting I/O holds one
 * promise, reaction and closure fewer.
 */
function handlerOnly(handler: Middleware<Context>, settle: Settle): Chain<Context> {
  const done = (ctx: Context, value: unknown): undefined => {
    noContent(ctx, value)
    settleValue(settle, ctx, value)
    return undefined
  }
  return function handlerOnlyChain(ctx) {
    const value = handler(ctx, resolved)
    return value instanceof Promise ? value.then((settled) => done(ctx, settled)) : done(ctx, value)
  }
}

function noContent(ctx: Context, value: unknown): unknown {
  if (value === undefined && !ctx.res.responded) {
    ctx.res.responded = true
    if (!ctx.res.statusSet) ctx.res.status = 204
  }
  return value
}

/**
 * Runs `chain`; on a throw, offers the error to each handler from the innermost router outwards. A handler
 * answers by returning a value or writing through ctx; one that rethrows (or answers nothing) passes it up.
 */
export function withErrorHandlers(
  chain: Chain<Context>,
  handlers: readonly ErrorHandler<object>[],
  settle: Settle,
): Chain<Context> {
  if (handlers.length === 0) return chain
  const recover = async (ctx: Context, thrown: unknown): Promise<void> => {
    let error = asError(thrown)
    for (const handler of handlers) {
      try {
        if (await offerError(handler, error, ctx, settle)) return
      } catch (rethrown) {
        error = asError(rethrown)
      }
    }
    throw error
  }
  return function guarded(ctx) {
    let pending: Promise<void> | undefined
    try {
      pending = chain(ctx)
    } catch (thrown) {
      return recover(ctx, thrown)
    }
    return pending?.catch((thrown: unknown) => recover(ctx, thrown))
  }
}

/** Gives one error handler its chance; true when it produced a response. */
export async function offerError(
  handler: ErrorHandler<object>,
  error: Error,
  ctx: Context,
  settle: Settle,
): Promise<boolean> {
  ctx.res.resetForError()
  ctx.res.error ??= error
  // A handler that just returns a body answers with the error's status unless it sets its own.
  ctx.res.status = statusOf(error)
  settleValue(settle, ctx, await handler(error, ctx))
  return ctx.res.responded
}

function settleValue(settle: Settle, ctx: Context, value: unknown): void {
  if (value === undefined) return
  if (value instanceof Error) throw value
  settle(ctx, value)
}
