/**
 * ONE table of cases, run against every core (like Hono's one router suite): the same request, the same
 * expected status, headers and body. Where a core differs, `except` says how and why (docs/cores.md lists
 * the same differences); nothing else may differ.
 */
import { LARGE } from './app.js'
import type { CaseRequest, CoreName } from './targets.js'

/** Expected header value: exact text, a pattern, every value of a repeated header, or `null` for absent. */
export type HeaderExpectation = string | RegExp | string[] | null

/** What a case expects back. */
export interface Expected {
  status: number
  headers?: Record<string, HeaderExpectation>
  /** The exact body as text. */
  text?: string
  /** The body parsed as JSON must match this (`toMatchObject`). */
  json?: unknown
  /** The body's length in bytes. */
  bytes?: number
}

/** One row of the table. */
export interface ConformanceCase {
  name: string
  request: CaseRequest
  expect: Expected
  /** Per-core differences, each with the reason a user can read in docs/cores.md. */
  except?: Partial<Record<CoreName, { expect: Partial<Expected>; reason: string }>>
}

const JSON_TYPE = 'application/json; charset=utf-8'
/** Chunked framing exists in HTTP/1.1 only: HTTP/2 frames bodies itself (RFC 9113 §8.2.2). */
const H2_NO_CHUNKED = {
  expect: { headers: { 'transfer-encoding': null } },
  reason: 'HTTP/2 frames the body itself; Transfer-Encoding is connection-specific (RFC 9113 §8.2.2)',
}

/** The table. */
export const CASES: ConformanceCase[] = [
  {
    name: 'routes and runs app middleware after next()',
    request: { path: '/items/7' },
    expect: {
      status: 200,
      headers: { 'content-type': JSON_TYPE, 'content-length': '10', 'x-powered-by': 'swiftlet' },
      text: '{"id":"7"}',
    },
  },
  {
    name: 'decodes a percent-encoded slash in a param',
    request: { path: '/items/a%2Fb' },
    expect: { status: 200, json: { id: 'a/b' } },
  },
  {
    name: 'decodes UTF-8 in a param',
    request: { path: '/items/caf%C3%A9' },
    expect: { status: 200, json: { id: 'café' } },
  },
  {
    name: 'answers 400 ERR_MALFORMED_URI for a broken percent-escape',
    request: { path: '/items/%E0%A4%A' },
    expect: { status: 400, json: { status: 400, code: 'ERR_MALFORMED_URI' } },
  },
  {
    name: 'reads the query, repeated keys included',
    request: { path: '/search?q=caf%C3%A9&tag=a&tag=b' },
    expect: { status: 200, json: { q: 'café', tags: ['a', 'b'] } },
  },
  {
    name: 'answers 404 with the JSON error and the middleware header',
    request: { path: '/nope' },
    expect: {
      status: 404,
      headers: { 'content-type': JSON_TYPE, 'x-powered-by': 'swiftlet' },
      json: { status: 404, code: 'ERR_NOT_FOUND' },
    },
  },
  {
    name: 'answers 405 with Allow',
    request: { method: 'DELETE', path: '/items/1' },
    expect: {
      status: 405,
      headers: { allow: 'GET, HEAD, OPTIONS' },
      json: { status: 405, code: 'ERR_METHOD_NOT_ALLOWED' },
    },
  },
  {
    name: 'answers OPTIONS with 204 and Allow',
    request: { method: 'OPTIONS', path: '/items/1' },
    expect: { status: 204, headers: { allow: 'GET, HEAD, OPTIONS', 'content-length': null }, text: '' },
  },
  {
    name: 'answers HEAD from the GET route: its Content-Length, no body',
    request: { method: 'HEAD', path: '/items/7' },
    expect: { status: 200, headers: { 'content-length': '10', 'content-type': JSON_TYPE }, text: '' },
  },
  {
    name: 'sends 204 without a body or Content-Length',
    request: { path: '/no-content' },
    expect: { status: 204, headers: { 'content-length': null }, text: '' },
  },
  {
    name: 'joins repeated request headers with ", " and Cookie fields with "; "',
    request: { path: '/headers', headers: { 'x-multi': ['a', 'b'], cookie: ['c=1', 'd=2'] } },
    expect: { status: 200, json: { multi: 'a, b', cookie: 'c=1; d=2', host: true } },
    except: {
      inject: {
        expect: { json: { multi: 'a, b', cookie: 'c=1; d=2', host: false } },
        reason: 'inject() sends only the headers given: no Host unless the test sets one',
      },
    },
  },
  {
    name: 'sends each Set-Cookie as its own field',
    request: { path: '/cookies' },
    expect: {
      status: 200,
      headers: { 'set-cookie': ['a=1; Path=/', 'b=2; Path=/; HttpOnly'] },
      text: 'two cookies',
    },
  },
  {
    name: 'answers 414 for a request target over limits.url (8 KiB)',
    request: { path: `/items/${'x'.repeat(9 * 1024)}` },
    expect: { status: 414, json: { status: 414, code: 'ERR_URI_TOO_LONG' } },
  },
  {
    name: 'answers 431 for a header block over limits.headers (16 KiB)',
    request: { path: '/items/1', headers: { 'x-big': 'x'.repeat(20 * 1024) } },
    expect: { status: 431, json: { status: 431, code: 'ERR_HEADERS_TOO_LARGE' } },
  },
  {
    name: 'reads a JSON body',
    request: {
      method: 'POST',
      path: '/echo',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    },
    expect: { status: 201, json: { a: 1 } },
  },
  {
    name: 'answers 400 ERR_INVALID_JSON for malformed JSON',
    request: {
      method: 'POST',
      path: '/echo',
      headers: { 'content-type': 'application/json' },
      body: '{"a":',
    },
    expect: { status: 400, json: { status: 400, code: 'ERR_INVALID_JSON' } },
  },
  {
    name: 'answers 413 past the route body limit',
    request: { method: 'POST', path: '/small', body: 'x'.repeat(2000) },
    expect: { status: 413, json: { status: 413, code: 'ERR_BODY_TOO_LARGE' } },
  },
  {
    name: 'answers 415 with Accept-Post for a media type the route has no schema for',
    request: { method: 'POST', path: '/items', headers: { 'content-type': 'text/plain' }, body: 'x' },
    expect: {
      status: 415,
      headers: { 'accept-post': /application\/json/ },
      json: { status: 415, code: 'ERR_UNSUPPORTED_MEDIA_TYPE' },
    },
  },
  {
    name: 'answers 422 ERR_VALIDATION for a body that fails its schema',
    request: {
      method: 'POST',
      path: '/items',
      headers: { 'content-type': 'application/json' },
      body: '{"name":""}',
    },
    expect: { status: 422, json: { status: 422, code: 'ERR_VALIDATION' } },
  },
  {
    name: 'accepts a valid body',
    request: {
      method: 'POST',
      path: '/items',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"a"}',
    },
    expect: { status: 201, json: { name: 'a' } },
  },
  {
    name: 'reads a 1.5 MiB body',
    request: { method: 'POST', path: '/upload', body: Buffer.alloc(1.5 * 1024 * 1024, 'y') },
    expect: { status: 200, json: { bytes: 1.5 * 1024 * 1024 } },
  },
  {
    name: 'sends a 1 MiB body with its Content-Length',
    request: { path: '/large' },
    expect: { status: 200, headers: { 'content-length': String(LARGE) }, bytes: LARGE },
  },
  {
    name: 'turns an HttpError into its status and JSON',
    request: { path: '/teapot' },
    expect: { status: 418, json: { status: 418, code: 'ERR_HTTP_418', message: 'short and stout' } },
  },
  {
    name: 'hides the message of an unexpected error behind a 500',
    request: { path: '/boom' },
    expect: { status: 500, json: { status: 500, code: 'ERR_INTERNAL', message: 'Internal Server Error' } },
  },
  {
    name: 'lets onError answer',
    request: { path: '/handled' },
    expect: { status: 503, json: { handled: true } },
  },
  {
    name: 'streams a body of unknown length (chunked on HTTP/1.1)',
    request: { path: '/stream' },
    expect: {
      status: 200,
      headers: {
        'transfer-encoding': 'chunked',
        'content-length': null,
        'content-type': 'text/plain; charset=utf-8',
      },
      text: 'abc',
    },
    except: { http2: H2_NO_CHUNKED },
  },
  {
    name: 'streams a body of known length with its Content-Length',
    request: { path: '/stream-sized' },
    expect: { status: 200, headers: { 'content-length': '3', 'transfer-encoding': null }, text: 'abc' },
  },
  {
    name: 'sends Server-Sent Events',
    request: { path: '/events' },
    expect: {
      status: 200,
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
      text: 'event: tick\nid: 1\ndata: {"n":1}\n\ndata: two\n\n',
    },
  },
  {
    name: 'redirects with Location',
    request: { path: '/redirect' },
    expect: { status: 301, headers: { location: '/items/1' } },
  },
]
