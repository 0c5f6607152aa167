/**
 * The public Router: verbs, router-scoped middleware, nested routers under prefixes, named routes, and
 * router-level error and not-found handlers. It only records; the App flattens every router into one
 * segment tree and composes each route's chain once, when routes are frozen.
 */
import type { Middleware } from '../compose.js'
import type { Context, State } from '../context.js'
import { ERR } from '../errors.js'
import { parsePattern } from './segment-tree.js'
import type { PathParams } from './types.js'

/** An HTTP method Swiftlet routes by name; `ALL` matches any. */
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS' | 'ALL'

/** A handler or middleware for a route whose path is `P`. */
export type RouteHandler<P extends string, S extends object> = Middleware<Context<PathParams<P>, S>>

/** Handles an error thrown downstream; a returned value becomes the response, a throw passes it up. */
export type ErrorHandler<S extends object = State> = (
  err: Error,
  ctx: Context<Record<string, string>, S>,
) => unknown

/** Answers a request no route matched; a returned value becomes the response. */
export type NotFoundHandler<S extends object = State> = (ctx: Context<Record<string, string>, S>) => unknown

/** Per-route options. */
export interface RouteOptions {
  /** A name for {@link App.urlFor}. Unique per app. */
  name?: string
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

  /** Adds a GET route (which also answers HEAD). */
  get<P extends string>(path: P, ...handlers: RouteArgs<P, S>): this {
    return this.route('GET', path, ...handlers)
  }
  /** Adds a POST route. */
  post<P extends string>(path: P, ...handlers: RouteArgs<P, S>): this {
    return this.route('POST', path, ...handlers)
  }
  /** Adds a PUT route. */
  put<P extends string>(path: P, ...handlers: RouteArgs<P, S>): this {
    return this.route('PUT', path, ...handlers)
  }
  /** Adds a PATCH route. */
  patch<P extends string>(path: P, ...handlers: RouteArgs<P, S>): this {
    return this.route('PATCH', path, ...handlers)
  }
  /** Adds a DELETE route. */
  delete<P extends string>(path: P, ...handlers: RouteArgs<P, S>): this {
    return this.route('DELETE', path, ...handlers)
  }
  /** Adds a HEAD route (GET routes already answer HEAD). */
  head<P extends string>(path: P, ...handlers: RouteArgs<P, S>): this {
    return this.route('HEAD', path, ...handlers)
  }
  /** Adds an OPTIONS route (otherwise OPTIONS is answered with `Allow`). */
  options<P extends string>(path: P, ...handlers: RouteArgs<P, S>): this {
    return this.route('OPTIONS', path, ...handlers)
  }
  /** Adds a route for every method. */
  all<P extends string>(path: P, ...handlers: RouteArgs<P, S>): this {
    return this.route('ALL', path, ...handlers)
  }

  /**
   * Adds a route. The last function is the handler; the ones before it are route-level middleware.
   * Path syntax: static segments, `:name` params, and a trailing `*` wildcard (`ctx.params['*']`).
   * @throws TypeError when no handler is given; RouteError (`ERR_INVALID_ROUTE`) for a malformed pattern;
   *   Error `ERR_ROUTES_FROZEN` after the app started serving.
   */
  route<P extends string>(method: Method | Method[], path: P, ...args: RouteArgs<P, S>): this {
    this.#assertOpen()
    const [first, ...rest] = args
    const options: RouteOptions = typeof first === 'object' && first !== null ? first : {}
    const handlers = (typeof first === 'function' ? args : rest) as Middleware<Context>[]
    if (handlers.length === 0 || handlers.some((h) => typeof h !== 'function')) {
      throw new TypeError(`route ${path} needs at least one handler function`)
    }
    // Checked here so a malformed pattern fails at the line that added it; duplicates across routers are
    // found when routes are frozen.
    parsePattern(path)
    for (const m of Array.isArray(method) ? method : [method]) {
      this.routes.push({ method: m, path, handlers, name: options.name })
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

/** Route arguments: optional {@link RouteOptions}, then middleware and the handler last. */
export type RouteArgs<P extends string, S extends object> =
  [RouteOptions, ...RouteHandler<P, S>[]] | RouteHandler<P, S>[]
