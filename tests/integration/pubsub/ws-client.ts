/**
 * A small WebSocket test client on `ws`: records every message (text as strings, binary as Buffers) and
 * the close code, with bounded waits.
 */
import WebSocket from 'ws'

/** One open test connection. */
export class TestClient {
  readonly messages: Array<string | Buffer> = []
  /** Resolves with the close code and reason, from either side. */
  readonly closed: Promise<{ code: number; reason: string }>
  readonly socket: WebSocket
  #read = 0
  #waiters = new Set<() => void>()

  private constructor(socket: WebSocket) {
    this.socket = socket
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      this.messages.push(isBinary ? Buffer.from(data) : data.toString('utf8'))
      for (const wake of [...this.#waiters]) wake()
    })
    this.closed = new Promise((resolve) =>
      socket.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
    )
  }

  /** Connects. @throws Error when the handshake fails. */
  static open(url: string): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url)
      const client = new TestClient(socket)
      socket.once('open', () => resolve(client))
      socket.once('error', (err) => reject(new Error(`could not connect to ${url}: ${err.message}`)))
    })
  }

  /** The next message not yet read. @throws Error after `timeoutMs`. */
  next(timeoutMs = 3000): Promise<string | Buffer> {
    return new Promise((resolve, reject) => {
      const take = (): boolean => {
        if (this.#read >= this.messages.length) return false
        const message = this.messages[this.#read++] as string | Buffer
        cleanup()
        resolve(message)
        return true
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(new Error(`no message within ${timeoutMs} ms (got ${JSON.stringify(this.messages)})`))
      }, timeoutMs)
      const wake = (): void => void take()
      const cleanup = (): void => {
        clearTimeout(timer)
        this.#waiters.delete(wake)
      }
      if (!take()) this.#waiters.add(wake)
    })
  }

  /** The next message parsed as JSON. */
  async json(timeoutMs = 3000): Promise<unknown> {
    return JSON.parse(String(await this.next(timeoutMs)))
  }

  send(data: string | Buffer): void {
    this.socket.send(data)
  }

  /** Closes and waits for the close to complete. */
  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(1000)
    await this.closed
  }
}

/** Sleeps `ms`, then tells whether `client` received nothing more than `count` messages. */
export async function quietFor(client: TestClient, count: number, ms = 150): Promise<boolean> {
  await new Promise((resolve) => setTimeout(resolve, ms))
  return client.messages.length === count
}
