/**
 * Reads a `text/event-stream` body from fetch the way the WHATWG parser does (fields per line, events
 * ended by a blank line, `:` comments), enough for the tests: every wait is bounded.
 */
import { within } from '../helpers/server.js'

/** One parsed block: an event, or a comment. */
export interface ParsedEvent {
  event?: string
  id?: string
  retry?: string
  data?: string
  comment?: string
}

/** Pulls events off a response body. */
export class SseReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>
  readonly #decoder = new TextDecoder()
  #buffer = ''

  constructor(body: ReadableStream<Uint8Array> | null) {
    if (!body) throw new Error('the response has no body')
    this.#reader = body.getReader()
  }

  /** The next block (event or comment), waiting up to `timeoutMs`. */
  async next(timeoutMs = 5000): Promise<ParsedEvent> {
    for (;;) {
      const end = this.#buffer.indexOf('\n\n')
      if (end >= 0) {
        const block = this.#buffer.slice(0, end)
        this.#buffer = this.#buffer.slice(end + 2)
        return parseBlock(block)
      }
      const { value, done } = await within(this.#reader.read(), timeoutMs, 'the next SSE block')
      if (done) throw new Error('the stream ended')
      this.#buffer += this.#decoder.decode(value, { stream: true })
    }
  }

  /** The next block that matches, skipping others. */
  async until(match: (event: ParsedEvent) => boolean, timeoutMs = 5000): Promise<ParsedEvent> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const event = await this.next(Math.max(1, deadline - Date.now()))
      if (match(event)) return event
    }
  }

  cancel(): Promise<void> {
    return this.#reader.cancel()
  }
}

function parseBlock(block: string): ParsedEvent {
  const event: ParsedEvent = {}
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) {
      event.comment = line.slice(1).trim()
      continue
    }
    const colon = line.indexOf(':')
    const name = colon < 0 ? line : line.slice(0, colon)
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
    if (name === 'data') event.data = event.data === undefined ? value : `${event.data}\n${value}`
    else if (name === 'event' || name === 'id' || name === 'retry') event[name] = value
  }
  return event
}
