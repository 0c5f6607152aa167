/**
 * A light EventSource-style subscriber for the `sse` scenario: one node:http GET per subscriber (no agent,
 * so each has its own connection) and a parser for the `data:` lines of `text/event-stream`, following the
 * WHATWG HTML "server-sent events" parsing rules for the fields the bench uses (data, comments, LF or CRLF).
 * No reconnection: a dropped stream is an error the bench reports. Not undici's EventSource: it runs each
 * stream through fetch and web streams, and every µs the generator spends per event adds to the measured
 * delivery time of the last subscriber.
 */
import http from 'node:http'

/** What a subscriber is told. */
export interface SubscriberHandlers {
  /** One event's data (several `data:` lines joined with LF). */
  event: (data: string) => void
  /** The stream ended or failed after it had opened. */
  closed: () => void
}

/** An open subscription. */
export interface Subscription {
  close(): void
}

/** Feeds text chunks, calls `onEvent` for each complete event that has data (comments are skipped). */
export class EventStreamParser {
  #buffer = ''
  #data: string[] = []

  constructor(private readonly onEvent: (data: string) => void) {}

  push(chunk: string): void {
    this.#buffer += chunk
    let newline = this.#buffer.indexOf('\n')
    while (newline !== -1) {
      const end = newline > 0 && this.#buffer[newline - 1] === '\r' ? newline - 1 : newline
      this.#line(this.#buffer.slice(0, end))
      this.#buffer = this.#buffer.slice(newline + 1)
      newline = this.#buffer.indexOf('\n')
    }
  }

  #line(line: string): void {
    if (line === '') {
      if (this.#data.length > 0) this.onEvent(this.#data.join('\n'))
      this.#data = []
    } else if (line.startsWith('data:')) {
      this.#data.push(line.slice(line.startsWith('data: ') ? 6 : 5))
    }
    // Comments (`:`), `id:`, `event:` and `retry:` carry nothing the bench needs.
  }
}

/**
 * Opens one subscription; resolves when the response headers arrived with 200 and `text/event-stream`.
 * @throws Error on another status or type, on a socket error, or after `timeoutMs` without headers.
 */
export function subscribe(
  url: string,
  handlers: SubscriberHandlers,
  timeoutMs: number,
): Promise<Subscription> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { accept: 'text/event-stream' } })
    let opened = false
    const timer = setTimeout(() => req.destroy(new Error(`no response within ${timeoutMs} ms`)), timeoutMs)
    req.on('response', (res) => {
      clearTimeout(timer)
      const type = res.headers['content-type'] ?? ''
      if (res.statusCode !== 200 || !type.startsWith('text/event-stream')) {
        res.resume()
        req.destroy()
        reject(new Error(`GET ${url} answered ${res.statusCode} ${type}`))
        return
      }
      opened = true
      const parser = new EventStreamParser(handlers.event)
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => parser.push(chunk))
      res.on('close', () => handlers.closed())
      resolve({ close: () => req.destroy() })
    })
    req.on('error', (error) => {
      clearTimeout(timer)
      if (!opened) reject(error)
    })
  })
}
