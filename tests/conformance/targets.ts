/**
 * The cores under test, each behind one `send(request)`: uWS and node:http over HTTP/1.1 (undici), node:https
 * (undici with the test CA), node:http2 (undici with `allowH2`, negotiated by ALPN), and inject (in memory).
 */
import { Agent, request as undiciRequest, type Dispatcher } from 'undici'
import type { App, ListenOptions } from '../../src/index.js'
import { testCertificate } from './certs.js'

/** The names of the cores in the suite. */
export type CoreName = 'uws' | 'node' | 'https' | 'http2' | 'inject'

/** A request of the case table. Repeated headers are arrays. */
export interface CaseRequest {
  method?: string
  path: string
  headers?: Record<string, string | string[]>
  body?: string | Buffer
}

/** What came back: lower-case header names, repeated headers as arrays. */
export interface CaseResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

/** A running core: where it listens (none for inject) and how to talk to it. */
export interface Target {
  readonly name: CoreName
  /** `info.core` as `listen()` reports it. */
  readonly core: string
  readonly port: number
  readonly url: string
  send(req: CaseRequest): Promise<CaseResponse>
  close(): Promise<void>
}

/** Listen options per socket core. */
async function listenOptions(name: Exclude<CoreName, 'inject'>): Promise<ListenOptions> {
  const base: ListenOptions = { port: 0, signals: false }
  if (name === 'uws') return { ...base, core: 'uws' }
  if (name === 'node') return { ...base, core: 'node' }
  const { key, cert } = await testCertificate()
  return { ...base, core: 'node', tls: { key, cert }, http2: name === 'http2' }
}

/** Starts `app` on the core `name` and returns a client for it. */
export async function startTarget(name: CoreName, app: App): Promise<Target> {
  if (name === 'inject') return injectTarget(app)
  const info = await app.listen(await listenOptions(name))
  const { cert } = await testCertificate()
  const agent = new Agent({ allowH2: name === 'http2', connect: { ca: cert }, pipelining: 1 })
  return {
    name,
    core: info.core,
    port: info.port,
    url: info.url,
    send: (req) => sendUndici(agent, info.url, req),
    close: async () => {
      await agent.close()
      await app.close()
    },
  }
}

async function sendUndici(dispatcher: Dispatcher, base: string, req: CaseRequest): Promise<CaseResponse> {
  const res = await undiciRequest(`${base}${req.path}`, {
    dispatcher,
    method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
    headers: req.headers ?? {},
    body: req.body ?? null,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  })
  const body = Buffer.from(await res.body.arrayBuffer())
  return { status: res.statusCode, headers: res.headers, body }
}

function injectTarget(app: App): Target {
  return {
    name: 'inject',
    core: 'inject',
    port: 0,
    url: '',
    send: async (req) => {
      // inject() takes one value per header: repeated ones arrive joined, as a socket core joins them.
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(req.headers ?? {})) {
        headers[name] = Array.isArray(value) ? value.join(name === 'cookie' ? '; ' : ', ') : value
      }
      const res = await app.inject({
        method: req.method ?? 'GET',
        url: req.path,
        headers,
        ...(req.body === undefined ? {} : { body: req.body }),
      })
      return { status: res.status, headers: res.headers, body: res.rawBody }
    },
    close: async () => undefined,
  }
}
