/**
 * Passing typed state down: declare what middleware puts on `ctx.state` once, give it to
 * `createApp<State>()`, and every handler reads it typed (no casts, no `any`). Here a tenant middleware
 * resolves `x-tenant` and a flags middleware derives feature flags from it.
 *
 * Try: no header (400 from the tenant middleware: nothing downstream runs), a known tenant, the other one.
 */
import { createApp, HttpError, type MiddlewareHandler } from '../../src/index.js'
import { isMain, serve } from './serve.js'

interface Tenant {
  id: string
  plan: 'free' | 'pro'
}

/** Everything the middleware below add to ctx.state, typed once. */
interface AppState {
  tenant: Tenant
  flags: { exports: boolean; maxItems: number }
}

const TENANTS: Record<string, Tenant> = {
  acme: { id: 'acme', plan: 'pro' },
  initech: { id: 'initech', plan: 'free' },
}

const tenant: MiddlewareHandler<AppState> = async function tenant(ctx, next) {
  const id = ctx.headers['x-tenant']
  const found = id !== undefined && Object.hasOwn(TENANTS, id) ? TENANTS[id] : undefined
  if (!found) throw new HttpError(400, 'send a known x-tenant header (acme or initech)')
  ctx.state.tenant = found
  await next()
}

const flags: MiddlewareHandler<AppState> = async function flags(ctx, next) {
  const pro = ctx.state.tenant.plan === 'pro' // typed: ctx.state.tenant is a Tenant
  ctx.state.flags = { exports: pro, maxItems: pro ? 1000 : 10 }
  await next()
}

export const app = createApp<AppState>({ logger: false })
app.use(tenant, flags)
app.get('/settings', (ctx) => ({ tenant: ctx.state.tenant.id, flags: ctx.state.flags }))

export const tryIt = [
  'curl -si $URL/settings',
  'curl -si $URL/settings -H "x-tenant: acme"',
  'curl -si $URL/settings -H "x-tenant: initech"',
]

if (isMain(import.meta.url)) await serve(app, tryIt)
