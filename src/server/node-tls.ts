/** TLS settings of the node core (node:https, and node:http2 over TLS). */
import type { TlsOptions } from 'node:tls'

/**
 * Node's TLS server options (`key`, `cert`, `ca`, `passphrase`, `pfx`, `minVersion`, `ciphers`,
 * `SNICallback`, `handshakeTimeout`...), except ALPN, which the core sets: `h2` and `http/1.1` with
 * `http2: true`, else `http/1.1`.
 * @see https://nodejs.org/api/tls.html#tlscreateserveroptions-secureconnectionlistener
 */
export type ListenTlsOptions = Omit<TlsOptions, 'ALPNProtocols' | 'ALPNCallback'>

/** The ALPN protocol ids offered, most preferred first (RFC 7301; `h2` is RFC 9113 §3.2). */
export function alpnProtocols(http2: boolean): string[] {
  return http2 ? ['h2', 'http/1.1'] : ['http/1.1']
}
