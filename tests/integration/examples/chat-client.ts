/**
 * A chat client for the tests: undici's WebSocket (what a Node program would use), every JSON message it
 * received kept in order, and bounded waits.
 */
import { WebSocket } from 'undici'
import type { ServerMessage } from '../../../examples/chat/protocol.js'
import { waitUntil, within } from '../helpers/server.js'

/** One connected chat member. */
export class ChatClient {
  readonly messages: ServerMessage[] = []
  /** Resolves with the close code, whoever closed. */
  readonly closed: Promise<number>
  readonly #ws: WebSocket

  private constructor(ws: WebSocket) {
    this.#ws = ws
    ws.addEventListener('message', (event) => void this.messages.push(JSON.parse(String(event.data))))
    this.closed = new Promise((resolve) =>
      ws.addEventListener('close', (e) => resolve(e.code), { once: true }),
    )
  }

  /** Joins `room` as `nick` and resolves once the welcome arrived. */
  static async join(base: string, room: string, nick: string, origin?: string): Promise<ChatClient> {
    const url = `${base.replace(/^http/, 'ws')}/ws/${encodeURIComponent(room)}?nick=${encodeURIComponent(nick)}`
    const ws = new WebSocket(url, origin === undefined ? undefined : { headers: { origin } })
    const client = new ChatClient(ws)
    const opened = new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve(), { once: true })
      ws.addEventListener('error', () => reject(new Error(`could not join ${url}`)), { once: true })
    })
    await within(opened, 5000, `joining ${room} as ${nick}`)
    await client.waitFor((m) => m.type === 'welcome', 'the welcome')
    return client
  }

  /** Sends `{ type: 'say', text }`. */
  say(text: string): void {
    this.#ws.send(JSON.stringify({ type: 'say', text }))
  }

  /** Sends a raw text or binary frame. */
  sendRaw(data: string | Uint8Array): void {
    this.#ws.send(data)
  }

  close(): Promise<number> {
    this.#ws.close(1000)
    return this.closed
  }

  /** The first received message that matches, waiting up to 5 s for it. */
  async waitFor(match: (message: ServerMessage) => boolean, what: string): Promise<ServerMessage> {
    await waitUntil(() => this.messages.some(match), 5000, what)
    return this.messages.find(match) as ServerMessage
  }

  /** Texts of the chat messages received (history included). */
  texts(): string[] {
    return this.messages.flatMap((m) => {
      if (m.type === 'message') return [m.text]
      if (m.type === 'welcome') return m.history.map((h) => h.text)
      return []
    })
  }
}
