/**
 * A small upstream service for `GET /io?kind=upstream`: answers JSON after IO_DELAY_MS (default 50 ms).
 * Plain node:http on loopback, run as its own process so it does not share the API's event loop.
 */
import { createServer } from 'node:http'

const delayMs = Number(process.env.IO_DELAY_MS ?? 50)

const server = createServer((req, res) => {
  const timer = setTimeout(() => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ upstream: true, delayMs, path: req.url }))
  }, delayMs)
  res.on('close', () => clearTimeout(timer))
})
server.keepAliveTimeout = 60_000
server.listen(Number(process.env.UPSTREAM_PORT ?? 0), '127.0.0.1', () => {
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  if (process.send) process.send({ type: 'listening', port })
  else console.log(`upstream listening on http://127.0.0.1:${port}`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
process.on('disconnect', () => process.exit(0))
