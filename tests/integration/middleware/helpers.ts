/** Shared bits for the built-in middleware tests: a started app, and cookie plumbing for fetch. */
import type { App } from '../../../src/index.js'

/** Starts `app` on an ephemeral loopback port (no signal handlers) and returns its base URL. */
export async function start<S extends object>(app: App<S>): Promise<string> {
  const { url } = await app.listen({ port: 0, signals: false })
  return url.replace(/\/$/, '')
}

/** The `name=value` pairs of a response's Set-Cookie lines, as a Cookie header would send them back. */
export function cookieHeader(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((line) => line.split(';')[0] ?? '')
    .join('; ')
}

/** The Set-Cookie line for `name`, if any. */
export function setCookie(res: Response, name: string): string | undefined {
  return res.headers.getSetCookie().find((line) => line.startsWith(`${name}=`))
}
