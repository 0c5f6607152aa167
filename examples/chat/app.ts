/**
 * Chat rooms over WebSockets: `app.ws()` with the nickname and room checked in the upgrade step (422 before
 * any 101), rooms as uWS topics (`ws.subscribe(room)`, `ws.publish`, `app.publish`), incoming messages
 * validated with zod, the last messages of each room kept in memory for newcomers, join/leave notices and a
 * member count, and a small page (public/, no build step) that shows user text with `textContent` only.
 *
 *   npm run example -- chat          then open http://127.0.0.1:3000/ in two browser windows
 *
 * Protocol (JSON text frames): the client sends `{ "type": "say", "text": "hi" }`; the server sends
 * `welcome` (room, nick, members, history), `message`, `join`, `leave` and `error`. Limits: 4 KiB frames
 * (larger closes with 1009), 500 characters of text, 10 messages a second per connection, text frames
 * only (binary closes with 1003). Cross-origin pages are refused (403): a WebSocket is not covered by CORS.
 */
import { fileURLToPath } from 'node:url'
import { createApp, securityHeaders, serveStatic, type App, type LoggerSetting } from '../../src/index.js'
import { isMain, serve } from '../middleware/serve.js'
import { ChatRoute } from './chat-route.js'

/** Options for {@link buildApp}. */
export interface ChatOptions {
  logger?: LoggerSetting
  /** Messages kept per room and sent to each newcomer. @default 50 */
  historySize?: number
  /** Rooms remembered at once; a new room beyond it is refused (503) while every room has members. @default 100 */
  maxRooms?: number
  /** Largest WebSocket message, in bytes; a larger one closes the socket with 1009. @default 4096 */
  maxMessageBytes?: number
  /** Longest chat text, in characters. @default 500 */
  maxTextLength?: number
  /** Messages a connection may send per second; the rest are dropped with an `error` reply. @default 10 */
  messagesPerSecond?: number
}

/** Commands to try from a shell (`$URL` is the server's base URL); the page itself needs a browser. */
export const tryIt = [
  'curl -si $URL/ | head -n 1',
  // A WebSocket handshake with a nickname the upgrade step refuses: 422 and a JSON body, no 101.
  'curl -si "$URL/ws/lobby?nick=%3Cscript%3E" -H "Connection: Upgrade" -H "Upgrade: websocket" ' +
    '-H "Sec-WebSocket-Version: 13" -H "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="',
]

/**
 * Builds the chat app: the page at `/`, the WebSocket at `/ws/:room?nick=<nick>`.
 * Listen on the uWS core (WebSockets need it).
 */
export function buildApp(options: ChatOptions = {}): App {
  const app = createApp({ logger: options.logger ?? false })
  // A strict CSP: the page's script comes from this server only, and may connect back to it only.
  app.use(
    securityHeaders({
      contentSecurityPolicy:
        "default-src 'self'; script-src 'self'; connect-src 'self'; style-src 'self'; " +
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
      strictTransportSecurity: false,
    }),
  )
  app.use(
    serveStatic({ root: fileURLToPath(new URL('./public', import.meta.url)), cacheControl: 'no-cache' }),
  )
  const chat = new ChatRoute(app, {
    historySize: options.historySize ?? 50,
    maxRooms: options.maxRooms ?? 100,
    maxMessageBytes: options.maxMessageBytes ?? 4096,
    maxTextLength: options.maxTextLength ?? 500,
    messagesPerSecond: options.messagesPerSecond ?? 10,
  })
  app.ws('/ws/:room', chat.route())
  return app
}

if (isMain(import.meta.url)) await serve(buildApp({ logger: true }), tryIt)
