/**
 * The node:http core: the same pipeline on Node's own HTTP server. Used when the uWebSockets.js native
 * binary cannot load (with `allowFallback`) or when asked for (`listen({ core: 'node' })`). Node's parser
 * answers some malformed requests itself (400, 431 over `limits.headers`) before Swiftlet sees them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { App } from '../app.js'
import { ERR, HttpError } from '../errors.js'
import type { Logger } from '../logger.js'
import type { BodySource, RequestHeaders, RequestInit } from '../request.js'
import { isBodylessStatus, type OutgoingResponse, type ResponseSink } from '../response.js'
import { StreamBody } from '../streaming.js'
import type { CoreServer, ListenInfo, ListenOptions } from './lifecycle.js'
import { InFlight } from './in-flight.js'
import { bodyTooLarge, hasBody, invalidContentLength, limitError } from './limits.js'

/** The running node:http server for one App. */
export class NodeServer implements CoreServer {
  readonly inFlight = new InFlight()
  readonly info: ListenInfo
  readonly #server: Server

  private constructor(server: Server, info: ListenInfo) {
    this.#server = server
    this.info = info
  }

  /** @throws Error `ERR_LISTEN_FAILED` when the port cannot be bound. */
  static async start(
    app: App<object>,
    options: ListenOptions,
    log: Logger,
    core: string,
  ): Promise<NodeServer> {
    const host = options.host ?? '127.0.0.1'
    const port = options.port ?? (Number(process.env.PORT) || 3000)
    // Node answers 431 itself above maxHeaderSize, which covers the request line too.
    const server = createServer({
      maxHeaderSize: app.limits.headers + app.limits.url,
      // Slow clients (slowloris): the header block must arrive within this deadline, as uWS's fixed ~10 s.
      headersTimeout: options.headersTimeoutMs ?? 10_000,
      // The whole request, body included; Node's own default is 300 s.
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      // Node checks those deadlines on this interval (30 s by default), which would let a slow client
      // overstay a 10 s deadline threefold.
      connectionsCheckingInterval: 1000,
    })
    const info: ListenInfo = { host, port, url: '', core }
    const self = new NodeServer(server, info)
    server.on('request', (req: IncomingMessage, res: ServerResponse) => self.#onRequest(app, log, req, res))
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(Object.assign(err, { code: ERR.LISTEN_FAILED })))
      server.listen(port, host, resolve)
    })
    info.port = (server.address() as AddressInfo).port
    info.url = `http://${host.includes(':') ? `[${host}]` : host}:${info.port}`
    return self
  }

  stopAccepting(): void {
    this.#server.close()
    this.#server.closeIdleConnections()
  }

  drain(timeoutMs: number): Promise<boolean> {
    return this.inFlight.drained(timeoutMs)
  }

  closeAll(): void {
    this.#server.closeAllConnections()
  }

  #onRequest(app: App<object>, log: Logger, req: IncomingMessage, res: ServerResponse): void {
    this.inFlight.started()
    const sink = new NodeSink(res, this.inFlight)
    try {
      const init = copyRequest(req, app.limits)
      if (hasBody(init.headers) && !invalidContentLength(init.headers)) {
        init.body = new NodeBody(req, app.limits.body)
      } else {
        req.resume()
      }
      void app.handle(init, sink)
    } catch (err) {
      log.error({ err }, 'node:http request handler failed')
      res.destroy()
    }
  }
}

function copyRequest(req: IncomingMessage, limits: App<object>['limits']): RequestInit {
  const url = req.url ?? '/'
  const q = url.indexOf('?')
  const headers: RequestHeaders = Object.create(null)
  let headerBytes = 0
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] as string).toLowerCase()
    const value = req.rawHeaders[i + 1] as string
    headerBytes += name.length + value.length
    const previous = headers[name]
    headers[name] = previous === undefined ? value : previous + (name === 'cookie' ? '; ' : ', ') + value
  }
  const error = limitError(url.length, headerBytes, headers, limits)
  return {
    method: req.method ?? 'GET',
    path: q === -1 ? url : url.slice(0, q),
    querystring: q === -1 ? '' : url.slice(q + 1),
    headers,
    ip: req.socket.remoteAddress ?? '',
    body: null,
    ...(error ? { error } : {}),
  }
}

class NodeBody implements BodySource {
  complete = false
  #chunks: Buffer[] = []
  #size = 0
  #result: Promise<Buffer>

  constructor(req: IncomingMessage, limit: number) {
    this.#result = new Promise((resolve, reject) => {
      req.on('data', (chunk: Buffer) => {
        this.#size += chunk.length
        if (this.#size > limit) {
          this.#chunks = []
          reject(bodyTooLarge(limit))
        } else {
          this.#chunks.push(chunk)
        }
      })
      req.on('end', () => {
        this.complete = true
        resolve(Buffer.concat(this.#chunks))
      })
      req.on('close', () => {
        if (!this.complete) {
          reject(
            new HttpError(400, 'the client closed the connection before the body arrived', {
              code: ERR.CLIENT_ABORTED,
            }),
          )
        }
      })
    })
    // A body nobody reads must not surface as an unhandled rejection.
    this.#result.catch(() => undefined)
  }

  read(limit: number): Promise<Buffer> {
    if (this.#size > limit) return Promise.reject(bodyTooLarge(limit))
    return this.#result.then((body) => (body.length > limit ? Promise.reject(bodyTooLarge(limit)) : body))
  }
}

class NodeSink implements ResponseSink {
  aborted = false
  #done = false
  #onAbort: (() => void) | undefined
  readonly #res: ServerResponse
  readonly #owner: InFlight

  constructor(res: ServerResponse, owner: InFlight) {
    this.#res = res
    this.#owner = owner
    res.on('close', () => {
      if (!res.writableFinished) {
        this.aborted = true
        this.#onAbort?.()
      }
      this.#finish()
    })
  }

  onAbort(callback: () => void): void {
    this.#onAbort = callback
  }

  send({ status, headers, body, head, close }: OutgoingResponse): void | Promise<void> {
    if (this.aborted || this.#done) {
      if (body instanceof StreamBody) body.close()
      return
    }
    const res = this.#res
    res.statusCode = status
    for (const [name, value] of headers) {
      if (name !== 'content-length' && name !== 'transfer-encoding') res.setHeader(name, value)
    }
    if (close) res.setHeader('connection', 'close')
    if (body instanceof StreamBody) return this.#stream(body, isBodylessStatus(status) || head)
    if (isBodylessStatus(status)) return void res.end()
    const bytes = body ?? ''
    res.setHeader('content-length', typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength)
    // Node leaves the body out of HEAD responses itself; Content-Length stays that of the GET body.
    res.end(head ? undefined : bytes)
  }

  /** Pipes the stream with Node's own backpressure; pipeline() closes the source when the client leaves. */
  async #stream(body: StreamBody, headersOnly: boolean): Promise<void> {
    const res = this.#res
    if (body.length !== undefined) res.setHeader('content-length', body.length)
    if (headersOnly) {
      body.close()
      return void res.end()
    }
    const chunks = async function* (): AsyncGenerator<Uint8Array> {
      for (let chunk = await body.next(); chunk; chunk = await body.next()) yield chunk
    }
    try {
      await pipeline(Readable.from(chunks()), res)
    } catch {
      // The client left or the producer failed; pipeline already destroyed the response.
    } finally {
      body.close()
    }
  }

  #finish(): void {
    if (this.#done) return
    this.#done = true
    this.#owner.released()
  }
}
