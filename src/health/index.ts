/**
 * Liveness and readiness endpoints for load balancers and orchestrators (Kubernetes probes, nginx
 * upstream checks). Liveness: the process answers. Readiness: it should get traffic, which is false while
 * the app shuts down and whenever the app's own check says so.
 */
import type { App } from '../app.js'

/** Options for {@link health}. */
export interface HealthOptions {
  /** Liveness path: 200 while the process answers. `false` registers none. @default '/health' */
  path?: string | false
  /** Readiness path: 200 when ready, 503 otherwise. @default '/ready' */
  readyPath?: string
  /**
   * The readiness check (database reachable, caches warm...). False, a throw or a timeout → 503.
   * @default always ready
   */
  ready?: () => boolean | Promise<boolean>
  /** A check that has not answered after this many ms counts as not ready. @default 2000 */
  timeoutMs?: number
}

/** The body of both endpoints. */
export interface HealthBody {
  status: 'ok' | 'ready' | 'not ready' | 'shutting down'
}

/**
 * Registers the liveness and readiness routes on `app`. Readiness answers 503 `{"status":"shutting down"}`
 * as soon as `app.close()` begins (so a balancer stops sending new requests while in-flight ones drain) and
 * 503 `{"status":"not ready"}` when `ready()` returns false, throws or exceeds `timeoutMs`. Both answers are
 * `Cache-Control: no-store`; a 503 here is an answer, not an error, and is not logged as a failure.
 * @example `health(app, { ready: async () => (await db.ping()) === 'PONG' })`
 */
export function health<S extends object>(app: App<S>, options: HealthOptions = {}): void {
  const timeoutMs = options.timeoutMs ?? 2000
  const check = options.ready
  if (options.path !== false) {
    app.get(options.path ?? '/health', (ctx) => {
      ctx.header('cache-control', 'no-store')
      return { status: 'ok' } satisfies HealthBody
    })
  }
  app.get(options.readyPath ?? '/ready', async (ctx) => {
    ctx.header('cache-control', 'no-store')
    let status: HealthBody['status'] = 'ready'
    if (app.closing) status = 'shutting down'
    else if (check && !(await passes(check, timeoutMs))) status = 'not ready'
    // Closing may have begun while the check ran.
    if (app.closing) status = 'shutting down'
    return ctx.json({ status } satisfies HealthBody, status === 'ready' ? 200 : 503)
  })
}

/** Runs `check`; false when it says so, throws, or takes longer than `timeoutMs`. */
async function passes(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs)
  })
  try {
    return (await Promise.race([Promise.resolve().then(check), late])) === true
  } catch {
    return false
  } finally {
    clearTimeout(timer)
  }
}
