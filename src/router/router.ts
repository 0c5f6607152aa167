/**
 * The public Router: verbs, router-scoped middleware, nested routers under prefixes, named routes, and
 * router-level error and not-found handlers. It only records; the App flattens every router into one
 * segment tree and composes each route's chain once, when routes are frozen.
 */
import type { Middleware } from '../compose.js'
import type { Context, State } from '../context.js'
import { ERR } from '../errors.js'
import type { StateMiddleware } from '../state/state-middleware.js'
import type { NoValid, RouteSchema, Valid } from '../validation/schema.js'
import { parseBytes } from '../middleware/body-limit/index.js'
import { parsePattern } from './segment-tree.js'
import type { PathParams } from './types.js'

/** An HTTP method Swiftlet routes by name; `ALL` matches any. */
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS' | 'ALL'

/** A handler or middleware for a route whose path is `P` (and whose validated values are `V`). */
export type RouteHandler<P extends string, S extends object, V extends object = NoValid> = Middleware<
  Context<PathParams<P>, S, V>
>

/** Handles an error thrown downstream; a returned value becomes the response, a throw passes it up. */
export type ErrorHandler<S extends object = State> = (
  err: Error,
  ctx: Context<Record<string, string>, S>,
) => unknown

/** Answers a request no route matched; a returned value becomes the response. */
export type NotFoundHandler<S extends object = State> = (ctx: Context<Record<string, string>, S>) => unknown

/** Per-route options: a name, schemas (see docs/validation.md) and OpenAPI details (docs/openapi.md). */
export interface RouteOptions<Sch extends RouteSchema = RouteSchema> {
  /** A name for {@link App.urlFor}. Unique per app. */
  name?: string
  /** zod schemas for params, query, headers, body and responses; handlers read `ctx.valid`. */
  schema?: Sch
  /**
   * This route's body limit, in bytes or a size string (`'50mb'`), lower or higher than the app's
   * `limits.body`; it wins over bodyLimit() middleware. A declared `Content-Length` over it is answered 413
   * before routing, a chunked body as soon as it passes it (RFC 9110 §15.5.14). @default the app's `limits.body`
   */
  bodyLimit?: number | string
  /** OpenAPI: a one-line summary. */
  summary?: string
  /** OpenAPI: a longer description (CommonMark). */
  description?: string
  /** OpenAPI: tags grouping the operation. */
  tags?: string[]
  /** OpenAPI: a unique operation id. @default the route's `name`, else method and path (`getItemsId`) */
  operationId?: string
  /** OpenAPI: marks the operation deprecated. @default false */
  deprecated?: boolean
  /** OpenAPI: security requirements (`[{ bearer: [] }]`); `[]` makes the route public. @default the app's */
  security?: Record<string, string[]>[]
  /** OpenAPI: leave this route out of the document. @default false */
  hidden?: boolean
}

/** Options for a Router. */
export interface RouterOptions {
  /** Path prefix for every route of this router, e.g. `/api`. @default '' */
  prefix?: string
}

/** A recorded route. */
export interface RouteRecord {
  readonly method: Method
  readonly path: string
  readonly handlers: readonly Middleware<Context>[]
  readonly name: string | undefined
  /** The options the route was added with (schemas, OpenAPI details). */
  readonly options: RouteOptions
}

/** A group of routes with a shared prefix, middleware and handlers. Mount it with `app.mount(router)`. */
export class Router<S extends object = State> {
  /** The prefix given at construction, e.g. `/api`. */
  readonly prefix: string
  /** @internal */ readonly middleware: Middleware<Context>[] = []
  /** @internal */ readonly routes: RouteRecord[] = []
  /** @internal */ readonly children: Router<object>[] = []
  /** @internal */ errorHandler: ErrorHandler<object> | undefined
  /** @internal */ notFoundHandler: NotFoundHandler<object> | undefined
  #frozen = false

  constructor(options: RouterOptions = {}) {
    const prefix = options.prefix ?? ''
    if (prefix !== '' && !prefix.startsWith('/')) throw new TypeError(`prefix must start with "/": ${prefix}`)
    this.prefix = prefix
  }

  /** Adds a GET route (which also answers HEAD). Options with `schema` type `ctx.valid`. */
  get<P extends string, Sch extends RouteSchema = NoSchema>(path: P, ...args: VerbArgs<P, S, Sch>): this {
    return this.route('GET', path, ...(args as unknown as RouteArgs<P, S>))
  }
  /** Adds a POST route. Options with `schema` type `ctx.valid`. */
  post<P extends string, Sch extends RouteSchema = NoSchema>(path: P, ...args: VerbArgs<P, S, Sch>): this {
    return this.route('POST', path, ...(args as unknown as RouteArgs<P, S>))
  }
  /** Adds a PUT route. Options with `schema` type `ctx.valid`. */
  put<P extends string, Sch extends RouteSchema = NoSchema>(path: P, ...args: VerbArgs<P, S, Sch>): this {
    return this.route('PUT', path, ...(args as unknown as RouteArgs<P, S>))
  }
  /** Adds a PATCH route. Options with `schema` type `ctx.valid`. */
  patch<P extends string, Sch extends RouteSchema = NoSchema>(path: P, ...args: VerbArgs<P, S, Sch>): this {
    return this.route('PATCH', path, ...(args as unknown as RouteArgs<P, S>))
  }
  /** Adds a DELETE route. Options with `schema` type `ctx.valid`. */
  delete<P extends string, Sch extends RouteSchema = NoSchema>(path: P, ...args: VerbArgs<P, S, Sch>): this {
    return this.route('DELETE', path, ...(args as unknown as RouteArgs<P, S>))
  }
  /** Adds a HEAD route (GET routes already answer HEAD). Options with `schema` type `ctx.valid`. */
  head<P extends string, Sch extends RouteSchema = NoSchema>(path: P, ...args: VerbArgs<P, S, Sch>): this {
    return this.route('HEAD', path, ...(args as unknown as RouteArgs<P, S>))
  }
  /** Adds an OPTIONS route (otherwise OPTIONS is answered with `Allow`). Options with `schema` type `ctx.valid`. */
  options<P extends string, Sch extends RouteSchema = NoSchema>(path: P, ...args: VerbArgs<P, S, Sch>): this {
    return this.route('OPTIONS', path, ...(args as unknown as RouteArgs<P, S>))
  }
  /** Adds a route for every method. Options with `schema` type `ctx.valid`. */
  all<P extends string, Sch extends RouteSchema = NoSchema>(path: P, ...args: VerbArgs<P, S, Sch>): this {
    return this.route('ALL', path, ...(args as unknown as RouteArgs<P, S>))
  }

  /**
   * Adds a route. The last function is the handler; the ones before it are route-level middleware.
   * Path syntax: static segments, `:name` params, and a trailing `*` wildcard (`ctx.params['*']`).
   * @throws TypeError when no handler is given; RouteError (`ERR_INVALID_ROUTE`) for a malformed pattern;
   *   RangeError for an invalid `bodyLimit` option;
   *   Error `ERR_ROUTES_FROZEN` after the app started serving.
   */
  route<P extends string, Sch extends RouteSchema = NoSchema>(
    method: Method | Method[],
    path: P,
    ...args: RouteArgs<P, S, Sch>
  ): this {
    this.#assertOpen()
    const [first, ...rest] = args
    const options: RouteOptions = typeof first === 'object' && first !== null ? (first as RouteOptions) : {}
    const handlers = (typeof first === 'function' ? args : rest) as Middleware<Context>[]
    if (handlers.length === 0 || handlers.some((h) => typeof h !== 'function')) {
      throw new TypeError(`route ${path} needs at least one handler function`)
    }
    // Checked here so a malformed pattern fails at the line that added it; duplicates across routers are
    // found when routes are frozen.
    parsePattern(path)
    if (options.bodyLimit !== undefined) parseBytes(options.bodyLimit)
    for (const m of Array.isArray(method) ? method : [method]) {
      this.routes.push({ method: m, path, handlers, name: options.name, options })
    }
    return this
  }

  /**
   * Adds middleware that runs, in the order added, for every route of this router and its children.
   * On the App, middleware wraps every request, including automatic 404/405/OPTIONS/HEAD answers.
   */
  use(...middleware: Middleware<Context<Record<string, string>, S>>[]): this {
    this.#assertOpen()
    for (const fn of middleware) {
      if (typeof fn !== 'function') throw new TypeError('use() takes middleware functions')
      this.middleware.push(fn as Middleware<Context>)
    }
    return this
  }

  /**
   * Mounts a new router (no prefix of its own) that runs `middleware` before its routes, and whose handlers
   * see the state that middleware adds, typed (see {@link stateMiddleware}).
   * @returns The new router: add routes to it.
   */
  group<A extends object>(middleware: StateMiddleware<A>): Router<S & A> {
    const child = new Router<S & A>()
    child.use(middleware as unknown as Middleware<Context<Record<string, string>, S & A>>)
    this.mount(child as unknown as Router<object>)
    return child
  }

  /** Mounts a child router under this router's prefix plus the child's own prefix. */
  mount(router: Router<object>): this {
    this.#assertOpen()
    if (router === (this as Router<object>)) throw new TypeError('a router cannot mount itself')
    this.children.push(router)
    return this
  }

  /**
   * Handles errors thrown by this router's routes (on the App: by anything). The status is preset to the
   * error's (500 for non-HttpErrors); return a value to answer, rethrow to pass it up.
   */
  onError(handler: ErrorHandler<S>): this {
    this.#assertOpen()
    this.errorHandler = handler as ErrorHandler<object>
    return this
  }

  /** Answers requests under this router's prefix (on the App: anywhere) that match no route; status preset to 404. */
  notFound(handler: NotFoundHandler<S>): this {
    this.#assertOpen()
    this.notFoundHandler = handler as NotFoundHandler<object>
    return this
  }

  /** @internal Called when the owning app freezes its routes. */
  freeze(): void {
    this.#frozen = true
    for (const child of this.children) child.freeze()
  }

  #assertOpen(): void {
    if (this.#frozen) {
      throw Object.assign(new Error('routes and middleware cannot change after the app started serving'), {
        code: ERR.ROUTES_FROZEN,
      })
    }
  }
}

/** The schema of a route added without one. */
export type NoSchema = Record<never, never>

/**
 * Route arguments: optional {@link RouteOptions}, then middleware and the handler last; with a `schema`,
 * they see `ctx.valid` typed from it.
 */
export type RouteArgs<P extends string, S extends object, Sch extends RouteSchema = NoSchema> =
  [RouteOptions<Sch>, ...RouteHandler<P, S, ValidOf<Sch>>[]] | RouteHandler<P, S>[]

/**
 * A verb's arguments: optional route options, then middleware and the handler. Both forms share one handler
 * type, so handlers are typed from context either way.
 */
export type VerbArgs<P extends string, S extends object, Sch extends RouteSchema> =
  | [options: RouteOptions<Sch>, ...handlers: RouteHandler<P, S, ValidOf<Sch>>[]]
  | RouteHandler<P, S, ValidOf<Sch>>[]

/** `ctx.valid`'s type for a route whose schema is `Sch`. */
export type ValidOf<Sch> = keyof Sch & ('params' | 'query' | 'headers' | 'body') extends never
  ? NoValid
  : Valid<Sch>
