/**
 * Raw TCP clients for the integration tests: exact bytes out, every byte back, and every wait bounded so a
 * misbehaving server fails a test instead of hanging it. Loopback only.
 */
import net from 'node:net'

/** Bytes to write: one buffer or string, or several written one after another. */
export type RawBytes = string | Uint8Array | ReadonlyArray<string | Uint8Array>

/** Options for {@link rawRequest}. */
export interface RawOptions {
  /** Stop waiting after this many ms; the socket is then destroyed. @default 3000 */
  timeoutMs?: number
  /** Stop as soon as this returns true for the bytes received so far (e.g. a whole response arrived). */
  until?: (received: Buffer) => boolean
  /** Pause between the pieces of an array of bytes, in ms. @default 0 (one macrotask) */
  chunkDelayMs?: number
}

/** What a raw exchange produced. */
export interface RawResult {
  /** Every byte the server sent. */
  received: Buffer
  /** `received` as latin1 text (byte for byte). */
  text: string
  /** Why the exchange ended: the server closed, `until` matched, or the timeout passed. */
  ended: 'closed' | 'until' | 'timeout'
  /** The socket error code, if one was reported (ECONNRESET, EPIPE...). */
  error: string | undefined
}

/**
 * Writes `bytes` to a fresh connection to 127.0.0.1:`port` and collects the reply until the server closes,
 * `until` matches, or `timeoutMs` passes. Never rejects on socket errors: they are reported in the result.
 */
export async function rawRequest(
  port: number,
  bytes: RawBytes,
  options: RawOptions = {},
): Promise<RawResult> {
  const conn = await RawConnection.open(port)
  const timeoutMs = options.timeoutMs ?? 3000
  try {
    await conn.write(bytes, options.chunkDelayMs ?? 0)
    const until = options.until
    const ended = await conn.waitFor(
      (received, closed) => closed || (until ? until(received) : false),
      timeoutMs,
    )
    return conn.result(ended ? (conn.closed ? 'closed' : 'until') : 'timeout')
  } finally {
    conn.destroy()
  }
}

/** A raw connection driven step by step (keep-alive exchanges, Expect: 100-continue, aborts). */
export class RawConnection {
  /** Every byte received so far. */
  received: Buffer = Buffer.alloc(0)
  /** True once the server closed its side (FIN or RST) or the socket was destroyed. */
  closed = false
  /** The first socket error code seen (ECONNRESET, EPIPE...). */
  error: string | undefined
  readonly socket: net.Socket
  #listeners = new Set<() => void>()

  private constructor(socket: net.Socket) {
    this.socket = socket
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk])
      this.#notify()
    })
    socket.on('end', () => {
      this.closed = true
      this.#notify()
    })
    socket.on('close', () => {
      this.closed = true
      this.#notify()
    })
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.error ??= err.code ?? err.message
      this.closed = true
      this.#notify()
    })
  }

  /** Connects to 127.0.0.1:`port` (rejects when refused, or after `timeoutMs`). */
  static open(port: number, timeoutMs = 3000): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port })
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new Error(`connect to ${port} timed out after ${timeoutMs} ms`))
      }, timeoutMs)
      socket.once('connect', () => {
        clearTimeout(timer)
        socket.removeAllListeners('error')
        resolve(new RawConnection(socket))
      })
      socket.once('error', (err) => {
        clearTimeout(timer)
        reject(err)
      })
    })
  }

  /**
   * Writes bytes; with an array, one piece per macrotask (or per `delayMs`), so they leave as separate
   * segments. Stops quietly if the server closed the connection meanwhile.
   */
  async write(bytes: RawBytes, delayMs = 0): Promise<void> {
    const pieces = typeof bytes === 'string' || bytes instanceof Uint8Array ? [bytes] : bytes
    for (let i = 0; i < pieces.length; i++) {
      if (this.closed || this.socket.destroyed) return
      if (i > 0) await pause(delayMs)
      this.socket.write(pieces[i] as string | Uint8Array)
    }
  }

  /**
   * Writes `total` bytes produced by `piece(offset, size)` in slices of `sliceSize`, honouring the socket's
   * backpressure, and stops early once the server has answered or closed (as a real client would).
   * @returns The number of bytes written.
   */
  async writeBody(
    total: number,
    sliceSize: number,
    piece: (size: number) => Uint8Array | string,
  ): Promise<number> {
    let written = 0
    while (written < total && !this.closed && this.received.length === 0) {
      const size = Math.min(sliceSize, total - written)
      const ok = this.socket.write(piece(size))
      written += size
      if (!ok) await this.#drainOrAnswer()
      else await pause(0)
    }
    return written
  }

  /**
   * Resolves true once `predicate(received, closed)` holds, false when `timeoutMs` passed first.
   */
  waitFor(predicate: (received: Buffer, closed: boolean) => boolean, timeoutMs: number): Promise<boolean> {
    if (predicate(this.received, this.closed)) return Promise.resolve(true)
    return new Promise((resolve) => {
      const check = (): void => {
        if (!predicate(this.received, this.closed)) return
        done(true)
      }
      const timer = setTimeout(() => done(false), timeoutMs)
      const done = (value: boolean): void => {
        clearTimeout(timer)
        this.#listeners.delete(check)
        resolve(value)
      }
      this.#listeners.add(check)
    })
  }

  /** Resolves true once the server closed the connection, false after `timeoutMs`. */
  waitForClose(timeoutMs: number): Promise<boolean> {
    return this.waitFor((_received, closed) => closed, timeoutMs)
  }

  /** A snapshot of what arrived. */
  result(ended: RawResult['ended']): RawResult {
    return { received: this.received, text: this.received.toString('latin1'), ended, error: this.error }
  }

  /** Half-closes: sends FIN, as a client that has finished writing (or gone away politely) does. */
  end(): void {
    this.socket.end()
  }

  /** Aborts with a TCP RST. */
  reset(): void {
    this.socket.resetAndDestroy()
  }

  /** Drops the connection (FIN if still open) and releases the socket. */
  destroy(): void {
    this.socket.destroy()
  }

  #drainOrAnswer(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done)
        this.#listeners.delete(done)
        resolve()
      }
      this.socket.once('drain', done)
      this.#listeners.add(done)
    })
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener()
  }
}

/** Resolves after `ms` (0: after one macrotask). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)))
}
