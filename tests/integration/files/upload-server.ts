/**
 * A child-process upload server for the memory test: the client's buffers must not count in the server's
 * RSS. Prints one JSON line `{ url }` once listening; GET /memory answers the peak RSS (VmHWM) so far.
 */
import { readFile } from 'node:fs/promises'
import { createApp, parseMultipart } from '../../../src/index.js'

const MiB = 1024 * 1024
const dest = process.argv[2]

async function peakRss(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8')
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]
  return Number(kb) * 1024
}

// The largest amount of ArrayBuffer memory seen (sampled every 5 ms): live buffers plus garbage not yet
// collected.
let peakArrayBuffers = 0
setInterval(() => {
  peakArrayBuffers = Math.max(peakArrayBuffers, process.memoryUsage().arrayBuffers)
}, 5).unref()

const app = createApp({ logger: false, limits: { body: 400 * MiB } })
app.post('/upload', async (ctx) => {
  const { files } = await parseMultipart(ctx, { limits: { fileSize: 300 * MiB }, ...(dest ? { dest } : {}) })
  return files.map((file) => ({ size: file.size, filename: file.filename }))
})
app.get('/memory', async () => ({ rss: process.memoryUsage().rss, peak: await peakRss(), peakArrayBuffers }))
const { url } = await app.listen({ port: 0, signals: false })
console.log(JSON.stringify({ url }))
