/** Free loopback ports for servers a test starts itself (redis-server, nginx). */
import { createServer } from 'node:net'

/** Finds a free loopback port by binding port 0 and closing it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}
