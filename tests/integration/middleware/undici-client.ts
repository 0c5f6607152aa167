/**
 * Starting an app on a loopback port and speaking HTTP to it with undici's `request` (no automatic
 * decompression, no forbidden-header rules), for the tests of request id, logging, CORS, security headers,
 * rate limit, body limit, timeout, compression, ETag and Server-Timing.
 */
import { request } from 'undici'
import type { App } from '../../../src/index.js'

/** A response as the tests read it. */
export interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
  text: string
}

/** Request options for {@link Served.call}. */
export interface CallOptions {
  method?: string
  headers?: Record<string, string>
  body?: string
}

/** A running app and a client bound to it. */
export interface Served {
  url: string
  call(path: string, options?: CallOptions): Promise<Reply>
  close(): Promise<void>
}

/** Listens on port 0 (loopback, no signal handlers) on `core` and returns a client for it. */
export async function serve(app: App<object>, core: 'uws' | 'node' = 'uws'): Promise<Served> {
  const { url } = await app.listen({ port: 0, signals: false, core })
  return {
    url,
    async call(path, options = {}) {
      const res = await request(new URL(path, url), {
        method: (options.method ?? 'GET') as 'GET',
        headers: options.headers,
        body: options.body,
      })
      const body = Buffer.from(await res.body.arrayBuffer())
      return { status: res.statusCode, headers: res.headers, body, text: body.toString('utf8') }
    },
    close: () => app.close(),
  }
}
