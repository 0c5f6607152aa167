/**
 * WebSocket routes on uWebSockets.js's native WebSockets: an async upgrade step that can refuse with any HTTP
 * status before the 101, typed open/message/drain/close handlers, per-route message limits (close 1009),
 * JSON messages validated by a zod schema, and topics on uWS's native publish/subscribe. RFC 6455.
 */
import sjson from 'secure-json-parse'
import type { z } from 'zod'
import { ERR } from './errors.js'
import type { PubSub } from './pubsub/hub.js'
import type { RequestHeaders } from './request.js'
import type { PathParams } from './router/types.js'
import { toIssues, type ValidationIssue } from './validation/issues.js'

/** What the upgrade step sees of the HTTP request (copied before any await). */
export interface UpgradeRequest<P extends object = Record<string, string>> {
  /** Canonical path. */
  path: string
  /** Route params, percent-decoded. */
  params: P
  query: URLSearchParams
  headers: RequestHeaders
  ip: string
  /** Fires when the client disconnects before the upgrade completed. */
  signal: AbortSignal
}

/** A message as received: text frames as strings, binary frames as Buffers (copies, safe to keep). */
export type WebSocketMessage = string | Buffer

/** One open WebSocket. Valid from `open` to `close`; sends after close are ignored and return false. */
export interface WebSocketConnection<U = unknown, P extends object = Record<string, string>> {
  /** A random id (UUID), unique across processes: `app.channels.send(id, message)` reaches it anywhere. */
  readonly id: string
  /** Route params of the upgrade request. */
  readonly params: P
  /** What the upgrade step returned. */
  readonly data: U
  /** True once closed (by either side). */
  readonly closed: boolean
  /**
   * Sends a text (string), binary (Uint8Array) or JSON (anything else) message.
   * @returns false when the socket is closed or the message was dropped (backpressure over `maxBackpressure`).
   */
  send(message: unknown): boolean
  /** Closes with a close frame (RFC 6455 §7.4.1 codes: 1000 normal, 1008 policy, 1009 too big, 1011 error). */
  close(code?: number, reason?: string): void
  /**
   * Bytes buffered for this socket, waiting for the client to read them (backpressure). Sends go on being
   * queued until `maxBackpressure`; past it they are dropped (`send()` returns false) until `drain`.
   */
  readonly bufferedAmount: number
  /** Subscribes to a topic (uWS native); topics starting with `swiftlet:` are reserved for channels. */
  subscribe(topic: string): void
  unsubscribe(topic: string): void
  /** Sends to every subscriber of `topic` except this socket, here and (with a broker) in other processes. */
  publish(topic: string, message: unknown): void
}

/** A zod schema for the messages of a route. */
export type MessageSchema = z.ZodType

/** What a route's `message` handler receives: the schema's output, or the raw message without a schema. */
export type MessageOf<S> = S extends z.ZodType ? z.output<S> : WebSocketMessage

/**
 * Why a message was refused, as sent to the client in an error frame `{ "error": { code, message,
 * details? } }`.
 */
export interface InvalidMessage {
  /** `ERR_INVALID_JSON`, `ERR_VALIDATION` or `ERR_WS_UNSUPPORTED_DATA` (a binary frame on a JSON route). */
  code: string
  message: string
  /** Validation problems, located like HTTP ones (`message.text`). */
  details?: ValidationIssue[]
}

/**
 * What happens to a message that is not valid JSON or fails the schema:
 * - `'reply'`: an error frame `{ "error": InvalidMessage }` is sent and the socket stays open;
 * - `'close'`: the socket is closed, with the code as close reason: 1003 for a binary frame (a data type it
 *   cannot accept), 1007 for text that is not JSON (data inconsistent with the message type) and 1008 for a
 *   schema failure (policy violation), RFC 6455 §7.4.1;
 * - a function: called instead, to answer as the application's protocol wants.
 * The message handler never runs for it, and it is logged at warn level.
 */
export type InvalidMessagePolicy<U, P extends object> =
  'reply' | 'close' | ((ws: WebSocketConnection<U, P>, problem: InvalidMessage) => void)

/** A WebSocket route. `U` is what `upgrade` returns (the per-connection data). */
export interface WebSocketRoute<P extends object, U, S extends MessageSchema | undefined = undefined> {
  /**
   * Runs before the 101, may be async (check auth, origin...). Throw an HttpError to answer with that status
   * instead of upgrading; return the connection's data.
   */
  upgrade?: (req: UpgradeRequest<P>) => U | Promise<U>
  open?: (ws: WebSocketConnection<U, P>) => void | Promise<void>
  /** Receives each message: the schema's output when the route has a `schema`, the raw message otherwise. */
  message?: (ws: WebSocketConnection<U, P>, message: MessageOf<S>) => void | Promise<void>
  /**
   * Text frames are parsed as JSON (secure-json-parse: `__proto__` and `constructor.prototype` keys are
   * refused) and validated with this zod schema before `message` runs; binary frames are refused.
   */
  schema?: S
  /** What an invalid message gets (see {@link InvalidMessagePolicy}). @default 'reply' */
  onInvalidMessage?: InvalidMessagePolicy<U, P>
  /** The socket drained its backpressure: a good time to resume sending. */
  drain?: (ws: WebSocketConnection<U, P>) => void
  close?: (ws: WebSocketConnection<U, P>, code: number, reason: string) => void
  /** Largest message accepted, in bytes; a larger one closes the socket with 1009. @default 65536 */
  maxPayloadLength?: number
}

/** App-wide WebSocket settings (uWS applies them to every WebSocket). */
export interface WebSocketOptions {
  /** Seconds without any message or pong before the socket is closed; uWS pings automatically. @default 120 */
  idleTimeout?: number
  /** Bytes buffered per socket before sends are dropped. @default 1048576 */
  maxBackpressure?: number
}

/** A route after registration. */
export interface WebSocketRouteRecord {
  readonly pattern: string
  readonly route: WebSocketRoute<Record<string, string>, unknown, MessageSchema | undefined>
  readonly maxPayloadLength: number
  /** The app's pub/sub hub (connections register there; publishes go through it). */
  readonly hub: PubSub
}

/** Default largest WebSocket message, in bytes. */
export const DEFAULT_WS_MAX_PAYLOAD = 64 * 1024

/** Route params typed from a WebSocket path, as for HTTP routes. */
export type WebSocketParams<Path extends string> = PathParams<Path>

/** The outcome of reading a message on a route with a schema. */
export type ParsedMessage =
  { ok: true; value: unknown } | { ok: false; problem: InvalidMessage; closeCode: number }

/**
 * Parses a text message as JSON and validates it with `schema`. Never throws for bad input.
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-7.4.1 for the close codes suggested in `closeCode`
 */
export async function parseMessage(schema: MessageSchema, message: WebSocketMessage): Promise<ParsedMessage> {
  if (typeof message !== 'string') {
    const problem = { code: ERR.WS_UNSUPPORTED_DATA, message: 'binary messages are not accepted here' }
    return { ok: false, problem, closeCode: 1003 }
  }
  let value: unknown
  try {
    value = sjson.parse(message, undefined, { protoAction: 'error', constructorAction: 'error' })
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : 'parse error'
    return {
      ok: false,
      problem: { code: ERR.INVALID_JSON, message: `invalid JSON: ${reason}` },
      closeCode: 1007,
    }
  }
  const result = await schema.safeParseAsync(value)
  if (result.success) return { ok: true, value: result.data }
  const problem = {
    code: ERR.VALIDATION,
    message: 'message validation failed',
    details: toIssues('message', result.error),
  }
  return { ok: false, problem, closeCode: 1008 }
}

/** Text stays text, bytes go binary, anything else is JSON text. */
export function encode(message: unknown): [string | Uint8Array, boolean] {
  if (typeof message === 'string') return [message, false]
  if (message instanceof Uint8Array) return [message, true]
  // JSON.stringify(undefined) is undefined, which no socket can send.
  return [JSON.stringify(message) ?? 'null', false]
}
