/**
 * The request as Swiftlet's pipeline sees it: data copied off the server core, plus lazy readers for the
 * query and the body, each with a size limit.
 */
import { Readable } from 'node:stream'
import sjson from 'secure-json-parse'
import { ERR, HttpError } from './errors.js'
import { normalizePath } from './router/path.js'

/**
 * Request headers: lower-case names; repeated headers joined with `, `. An object that inherits nothing
 * (see {@link emptyHeaders}): no name a client sends (`constructor`, `__proto__`) reaches Object.prototype.
 */
export type RequestHeaders = Record<string, string | undefined>

/**
 * Instances inherit only from an empty, frozen null-prototype object: no `constructor`, no `__proto__`
 * accessor. (`util.inspect` shows them as `HeaderFields <[Object: null prototype] {}> {...}`, and strict deep
 * equality against a plain object literal is false: compare with `toEqual` or `{ ...headers }`.)
 */
function HeaderFields(): void {}
HeaderFields.prototype = Object.freeze(Object.create(null) as object)

/**
 * A new, empty {@link RequestHeaders} object. Unlike `Object.create(null)`, which V8 keeps in dictionary mode
 * (184 bytes before the first header), these stay in fast mode with their properties in the object: less to
 * allocate per request and less for each young-generation GC to copy while thousands of requests await I/O.
 */
export function emptyHeaders(): RequestHeaders {
  return new (HeaderFields as unknown as new () => RequestHeaders)()
}

/** Where the body bytes come from; each core provides one. */
export interface BodySource {
  /**
   * Resolves the whole body once it has arrived.
   * @param limit - Maximum body size in bytes.
   * @throws HttpError 413 (`ERR_BODY_TOO_LARGE`) as soon as more than `limit` bytes arrived.
   */
  read(limit: number): Promise<Buffer>
  /** True once every byte the client declared has arrived (or there was no body). */
  readonly complete: boolean
  /**
   * Optional: the body as a stream, for cores that can stop reading the socket while the consumer is behind
   * (backpressure). Cores without it are read whole (up to the limit) and replayed.
   * @param limit - Maximum body size in bytes; the stream errors with HttpError 413 past it.
   */
  stream?(limit: number): Readable
}

/** What a core copies off the wire before the pipeline runs. */
export interface RequestInit {
  /** As sent by the client, e.g. `GET` (methods are case-sensitive, RFC 9110 §9.1). */
  method: string
  /** Path as sent, still percent-encoded, without the query. */
  path: string
  /** Query string without the `?` (may be empty). */
  querystring: string
  headers: RequestHeaders
  /** Remote address as text ('' when unknown), or a source the request reads it from on first use. */
  ip: string | RemoteAddressSource
  body: BodySource | null
  /**
   * Body limit in bytes of the route the request matches, looked up by the core before routing: the most
   * its body source buffers, and what a declared Content-Length was checked against. @default `limits.body`
   */
  bodyLimit?: number
  /** A limit the core already saw violated (414, 431, 413, 417): the pipeline answers with it. */
  error?: HttpError
}

/** Where a core reads the client's address on demand (most requests never ask). */
export interface RemoteAddressSource {
  /** The remote address as text, e.g. `127.0.0.1`; '' when it can no longer be read. */
  remoteAddress(): string
}

const EMPTY_BODY: BodySource = { read: () => Promise.resolve(Buffer.alloc(0)), complete: true }

/** The request: method, path, headers, query and body readers. */
export class SwiftletRequest {
  /** HTTP method, e.g. `GET`. */
  readonly method: string
  /** Canonical path (RFC 3986 §6.2.2): what routing used. */
  readonly path: string
  /** Query string without `?`. */
  readonly querystring: string
  /** Lower-cased header names. */
  readonly headers: RequestHeaders
  #ip: string | RemoteAddressSource
  /**
   * Maximum body size in bytes for the readers below: the app's `limits.body` (1 MiB by default) until
   * routing, then the matched route's (its `bodyLimit` option or bodyLimit() middleware). Lowering it in
   * code works; raising it above the route's limit does not, as the core buffers no more than that.
   */
  bodyLimit: number
  /** The error a core attached before routing (see {@link RequestInit.error}). */
  readonly preError: HttpError | undefined
  #body: BodySource
  #query: URLSearchParams | undefined
  #bytes: Promise<Buffer> | undefined
  #streamed = false

  constructor(init: RequestInit, bodyLimit: number) {
    this.method = init.method
    this.path = normalizePath(init.path)
    this.querystring = init.querystring
    this.headers = init.headers
    this.#ip = init.ip
    this.bodyLimit = bodyLimit
    this.preError = init.error
    this.#body = init.body ?? EMPTY_BODY
  }

  /** Remote address as text, e.g. `127.0.0.1` ('' when the core could not tell). Read on first use. */
  get ip(): string {
    if (typeof this.#ip !== 'string') this.#ip = this.#ip.remoteAddress()
    return this.#ip
  }

  /** Path and query, e.g. `/items?limit=2`. */
  get url(): string {
    return this.querystring === '' ? this.path : `${this.path}?${this.querystring}`
  }

  /**
   * The parsed query string (flat, URLSearchParams semantics: `get` returns the first value, `getAll` every
   * value; `a[b]=1` is just a key named `a[b]`). Parsed on first access.
   */
  get query(): URLSearchParams {
    return (this.#query ??= new URLSearchParams(this.querystring))
  }

  /** One header by case-insensitive name. */
  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()]
  }

  /** True once the whole body has arrived (always true for requests without a body). */
  get bodyComplete(): boolean {
    return this.#body.complete
  }

  /**
   * The raw body bytes. Reading twice returns the same bytes.
   * @throws HttpError 413 when the body exceeds {@link bodyLimit} bytes.
   */
  bytes(): Promise<Buffer> {
    if (this.#streamed) return Promise.reject(bodyConsumed())
    return (this.#bytes ??= this.#body.read(this.bodyLimit))
  }

  /**
   * The body as a Node Readable, for bodies too large to buffer (uploads: see `parseMultipart`). Chunks
   * flow as they arrive; on the uWS core the socket is paused while the Readable's buffer is full, so a
   * slow consumer (a slow disk) slows the client down instead of filling memory. Readable once, and not
   * together with {@link bytes} and the readers built on it. The stream errors with HttpError 413
   * (`ERR_BODY_TOO_LARGE`) past {@link bodyLimit} bytes and 400 (`ERR_CLIENT_ABORTED`) when the client
   * leaves. Cores without streaming (node:http, inject) read the body whole first, up to {@link bodyLimit}.
   * @throws HttpError 500 `ERR_BODY_CONSUMED` when the body was already read or streamed.
   */
  stream(): Readable {
    if (this.#streamed || this.#bytes) throw bodyConsumed()
    this.#streamed = true
    const body = this.#body
    if (body.stream) return body.stream(this.bodyLimit)
    const limit = this.bodyLimit
    return Readable.from(
      (async function* whole() {
        yield await body.read(limit)
      })(),
      { objectMode: false },
    )
  }

  /** The body as an ArrayBuffer (a copy). */
  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.bytes()
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
  }

  /** The body decoded as UTF-8. */
  async text(): Promise<string> {
    return (await this.bytes()).toString('utf8')
  }

  /**
   * The body parsed as JSON, safe against prototype poisoning: a `__proto__` or `constructor.prototype`
   * key is rejected (secure-json-parse), never merged.
   * @throws HttpError 400 `ERR_INVALID_JSON` for an empty or malformed body (RFC 8259 §2), 413 when too large.
   */
  async json<T = unknown>(): Promise<T> {
    const text = await this.text()
    try {
      return sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }) as T
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : 'parse error'
      throw new HttpError(400, `invalid JSON: ${text === '' ? 'empty body' : reason}`, {
        code: ERR.INVALID_JSON,
        cause,
      })
    }
  }

  /**
   * An `application/x-www-form-urlencoded` body (flat, URLSearchParams semantics).
   * @throws HttpError 415 when the content type is something else, 413 when too large.
   */
  async form(): Promise<URLSearchParams> {
    const type = mediaType(this.headers['content-type'])
    if (type !== 'application/x-www-form-urlencoded') {
      throw new HttpError(415, 'expected application/x-www-form-urlencoded', {
        code: ERR.UNSUPPORTED_MEDIA_TYPE,
      })
    }
    return new URLSearchParams(await this.text())
  }
}

function bodyConsumed(): HttpError {
  return new HttpError(500, 'the request body was already read', { code: ERR.BODY_CONSUMED })
}

/**
 * The media type of a Content-Type value, lower-cased, without parameters or whitespace
 * (`Application/JSON ; charset=utf-8` → `application/json`).
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-8.3.1
 */
export function mediaType(contentType: string | undefined): string {
  if (!contentType) return ''
  const semi = contentType.indexOf(';')
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase()
}
