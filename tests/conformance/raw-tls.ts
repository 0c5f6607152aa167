/**
 * A raw client over TLS for the conformance suite: exact HTTP/1.1 bytes out, every byte back, bounded waits.
 * The plain-TCP equivalent is tests/integration/helpers/raw-socket.ts.
 */
import { connect as connectTcp } from 'node:net'
import { connect as connectTls } from 'node:tls'

/** What came back, and why the exchange ended. */
export interface RawExchange {
  received: Buffer
  ended: 'closed' | 'until' | 'timeout'
}

/** Options for {@link exchange}. */
export interface ExchangeOptions {
  /** Trust this CA and speak TLS (ALPN `http/1.1`); plain TCP when absent. */
  ca?: string
  /** Stop once this holds for the bytes received so far. */
  until?: (received: Buffer) => boolean
  /** Written after the server's first bytes (e.g. a body after `100 Continue`). */
  afterFirstBytes?: string
  /** @default 3000 */
  timeoutMs?: number
}

/** Writes `bytes` to 127.0.0.1:`port` and collects the reply. Never rejects on socket errors. */
export function exchange(port: number, bytes: string, options: ExchangeOptions = {}): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket =
      options.ca === undefined
        ? connectTcp({ host: '127.0.0.1', port })
        : connectTls({ host: '127.0.0.1', port, ca: options.ca, ALPNProtocols: ['http/1.1'] })
    let received = Buffer.alloc(0)
    let settled = false
    const done = (ended: RawExchange['ended']): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      resolve({ received, ended })
    }
    const timer = setTimeout(() => done('timeout'), options.timeoutMs ?? 3000)
    socket.once(options.ca === undefined ? 'connect' : 'secureConnect', () => socket.write(bytes))
    socket.on('data', (chunk: Buffer) => {
      const first = received.length === 0
      received = Buffer.concat([received, chunk])
      if (first && options.afterFirstBytes !== undefined) socket.write(options.afterFirstBytes)
      if (options.until?.(received)) done('until')
    })
    socket.on('error', () => done('closed'))
    socket.on('close', () => done('closed'))
  })
}
