/**
 * The innermost step of the app-level chain: route the request, or answer automatically (404, 405 with
 * `Allow`, OPTIONS, HEAD from GET). It runs inside the app-level middleware, so request ids and logging
 * see the automatic answers too.
 */
import type { Context } from './context.js'
import { respondWithError } from './error-response.js'
import { ERR, HttpError } from './errors.js'
import type { RouteTable } from './router/compile.js'
import { ANY_METHOD } from './router/segment-tree.js'

const NOT_VISIBLE_ASCII = /[^\x21-\x7e]/

/**
 * Answers the request from the route table. The automatic answers (limits a core saw, 400, 404, 405,
 * OPTIONS) are *responses*, not throws, so app-level middleware sees them on the way out like any other.
 */
export function dispatch(table: RouteTable, ctx: Context): Promise<void> | undefined {
  const { req } = ctx
  if (req.preError) return answer(ctx, req.preError)
  const path = req.path
  if (path.charCodeAt(0) !== 47) {
    return answer(ctx, new HttpError(400, 'request target must be an absolute path'))
  }
  // Bytes outside visible ASCII must arrive percent-encoded (RFC 3986 §2.1, RFC 9112 §3.2); a core hands
  // raw ones over as latin1, which would silently garble them.
  if (NOT_VISIBLE_ASCII.test(path)) {
    return answer(ctx, new HttpError(400, 'request target must be visible ASCII; percent-encode other bytes'))
  }
  const method = req.method
  // trouter's rule: HEAD falls back to GET; the core then sends the headers without the body.
  const match = table.tree.match(method, path) ?? (method === 'HEAD' ? table.tree.match('GET', path) : null)
  if (match) {
    try {
      ctx.params = decodeParams(match.params)
    } catch (err) {
      return answer(ctx, err as HttpError)
    }
    ctx.routePattern = match.value.pattern
    const bodyLimit = match.value.bodyLimit
    // The route's own limit (option or bodyLimit() middleware) for the body readers; every core already
    // refused a declared length over it before routing.
    if (bodyLimit !== undefined) req.bodyLimit = bodyLimit
    return match.value.run(ctx)
  }
  const allowed = table.tree.allowed(path)
  if (allowed.size > 0) return automaticAnswer(ctx, allowHeader(allowed))
  const scoped = table.notFound.find((entry) => isUnder(path, entry.prefix))
  if (scoped) return scoped.run(ctx)
  return answer(ctx, new HttpError(404, `no route for ${method} ${path}`, { code: ERR.NOT_FOUND }))
}

function answer(ctx: Context, error: HttpError): undefined {
  respondWithError(ctx, error)
  return undefined
}

/** OPTIONS → 204 with `Allow` (RFC 9110 §9.3.7); any other method → 405 with `Allow` (§15.5.6). */
function automaticAnswer(ctx: Context, allow: string): undefined {
  if (ctx.method === 'OPTIONS') {
    ctx.header('allow', allow).status(204)
    ctx.res.responded = true
    return undefined
  }
  const error = new HttpError(405, `method ${ctx.method} not allowed for ${ctx.path}`, {
    code: ERR.METHOD_NOT_ALLOWED,
    headers: { allow },
  })
  return answer(ctx, error)
}

function allowHeader(methods: Set<string>): string {
  const allow = new Set(methods)
  allow.delete(ANY_METHOD)
  if (allow.has('GET')) allow.add('HEAD')
  allow.add('OPTIONS')
  return [...allow].sort().join(', ')
}

/**
 * Percent-decodes params after matching, so an encoded `/` stays inside its param (RFC 3986 §2.2).
 * @throws HttpError 400 `ERR_MALFORMED_URI` for malformed or non-UTF-8 escapes (RFC 3986 §2.1).
 */
export function decodeParams(params: Record<string, string>): Record<string, string> {
  for (const name in params) {
    const raw = params[name] as string
    if (!raw.includes('%')) continue
    try {
      params[name] = decodeURIComponent(raw)
    } catch {
      throw new HttpError(400, `malformed percent-encoding in path parameter "${name}"`, {
        code: ERR.MALFORMED_URI,
      })
    }
  }
  return params
}

function isUnder(path: string, prefix: string): boolean {
  if (prefix === '') return true
  return path === prefix || (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 47)
}
