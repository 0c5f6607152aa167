/**
 * Request id: takes a valid incoming id (or generates one), makes it `ctx.id` for logs and error bodies, and
 * echoes it in a response header so clients and proxies can quote it.
 */
import { randomUUID } from 'node:crypto'
import type { MiddlewareHandler, Next } from '../../compose.js'
import type { Context as AnyContext, Params } from '../../context.js'
import { isValidRequestId } from '../../request-id.js'

type Context = AnyContext<Params, object>

/** Options for {@link requestId}. */
export interface RequestIdOptions {
  /** Request header read for an incoming id (case-insensitive). @default 'x-request-id' */
  header?: string
  /** Response header the id is written to; `false` writes none. @default the `header` option */
  responseHeader?: string | false
  /**
   * Whether an incoming id is accepted at all. Turn off when clients are untrusted and no proxy in front
   * sets the header. @default true
   */
  trustIncoming?: boolean
  /** Which incoming ids are accepted. @default 1-128 characters of `A-Za-z0-9._:-` */
  validate?: (id: string) => boolean
  /**
   * Makes a new id when none is accepted. @default keep the id the app generated (`createApp({ genReqId })`),
   * or `crypto.randomUUID()` when that one was taken from an untrusted header
   */
  generate?: (ctx: Context) => string
}

// The same check the app applies to the incoming header when it picks the first id.
export { isValidRequestId }

/**
 * Request id middleware. Register it first: `ctx.log` binds the id the first time it is used, and the
 * response header is set before `next()` so that error responses carry it too.
 *
 * @param options - See {@link RequestIdOptions}.
 * @returns A middleware named `requestId`.
 */
export function requestId(options: RequestIdOptions = {}): MiddlewareHandler<object> {
  const header = (options.header ?? 'x-request-id').toLowerCase()
  const responseHeader = options.responseHeader === undefined ? header : options.responseHeader
  const trust = options.trustIncoming ?? true
  const validate = options.validate ?? isValidRequestId
  const generate = options.generate

  function pick(ctx: Context): string {
    const incoming = trust ? ctx.req.headers[header] : undefined
    if (incoming !== undefined && validate(incoming)) return incoming
    if (generate) return generate(ctx)
    // The app may have taken its id from the client's x-request-id already; untrusted, it must not stay.
    return !trust && ctx.id === ctx.req.headers['x-request-id'] ? randomUUID() : ctx.id
  }

  return async function requestId(ctx: Context, next: Next): Promise<void> {
    const id = pick(ctx)
    // `id` is readonly to handlers; this middleware is the one place meant to decide it. The request
    // logger (`ctx.log`) is created lazily, so it binds this id when used after this point.
    ctx.id = id
    if (responseHeader !== false) ctx.header(responseHeader, id)
    await next()
  }
}
