/**
 * A self-signed certificate for 127.0.0.1, ::1 and localhost, from the `selfsigned` package; generated once
 * per test file (EC P-256: fast), trusted by the test clients through `ca`.
 */
import selfsigned from 'selfsigned'

/** PEM key and certificate; the certificate is its own CA. */
export interface TestCertificate {
  key: string
  cert: string
}

let pending: Promise<TestCertificate> | undefined

/** The certificate of this test file (generated on first use). */
export function testCertificate(): Promise<TestCertificate> {
  pending ??= selfsigned
    .generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
            { type: 7, ip: '::1' },
          ],
        },
      ],
    })
    .then((pems) => ({ key: pems.private, cert: pems.cert }))
  return pending
}
