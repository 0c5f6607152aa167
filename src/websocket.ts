/**
 * WebSocket routes on uWebSockets.js's native WebSockets: an async upgrade step that can refuse with any HTTP
 * status before the 101, typed open/message/drain/close handlers, per-route message limits (close 1009), and
 * topics on uWS's native publish/subscribe. RFC 6455.
 */
import type { RequestHeaders } from './request.js'
import type { PathParams } from './router/types.js'

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
  /** Bytes buffered for this socket, waiting for the client to read them. */
  readonly bufferedAmount: number
  subscribe(topic: string): void
  unsubscribe(topic: string): void
  /** Sends to every subscriber of `topic` except this socket. */
  publish(topic: string, message: unknown): void
}

/** A WebSocket route. `U` is what `upgrade` returns (the per-connection data). */
export interface WebSocketRoute<P extends object, U> {
  /**
   * Runs before the 101, may be async (check auth, origin...). Throw an HttpError to answer with that status
   * instead of upgrading; return the connection's data.
   */
  upgrade?: (req: UpgradeRequest<P>) => U | Promise<U>
  open?: (ws: WebSocketConnection<U, P>) => void | Promise<void>
  message?: (ws: WebSocketConnection<U, P>, message: WebSocketMessage) => void | Promise<void>
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
  readonly route: WebSocketRoute<Record<string, string>, unknown>
  readonly maxPayloadLength: number
}

/** Default largest WebSocket message, in bytes. */
export const DEFAULT_WS_MAX_PAYLOAD = 64 * 1024

/** Route params typed from a WebSocket path, as for HTTP routes. */
export type WebSocketParams<Path extends string> = PathParams<Path>
