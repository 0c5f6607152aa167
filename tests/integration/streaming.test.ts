/**
 * Streamed responses (C13): every byte reaches a slow or pausing reader while server memory stays flat, and
 * the producer stops soon after the client leaves. Run on both socket cores.
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import net from 'node:net'
import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../src/index.js'
import { waitUntil } from './helpers/server.js'

const run = promisify(execFile)
const CHUNK = 64 * 1024

// The producer reuses 251 prepared chunks, allocated before any memory is measured, so that RSS growth shows
// what the server buffers rather than the producer's garbage waiting for a GC.
const CHUNKS = Array.from({ length: 251 }, (_, i) => Buffer.alloc(CHUNK, i))

/** Chunk `i` of a deterministic body: every byte is `i % 251`. */
const chunkAt = (i: number): Buffer => CHUNKS[i % 251] as Buffer

function expectedHash(chunks: number): string {
  const hash = createHash('sha256')
  for (let i = 0; i < chunks; i++) hash.update(chunkAt(i))
  return hash.digest('hex')
}

interface Download {
  head: string
  bodyBytes: number
  hash: string
}

/**
 * GETs `path` on a raw socket and reads the body at about `bytesPerSecond`, pausing `pauseMs` once after
 * the first MiB; or hangs up after `stopAfter` body bytes. Hashes as it goes: the client never buffers.
 */
function download(
  port: number,
  path: string,
  options: { bytesPerSecond: number; pauseMs?: number; stopAfter?: number },
): Promise<Download> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)
    })
    const hash = createHash('sha256')
    let head = ''
    let headBuffer = Buffer.alloc(0)
    let bodyBytes = 0
    let paused = false
    const started = Date.now()
    socket.on('data', (data: Buffer) => {
      let body = data
      if (head === '') {
        headBuffer = Buffer.concat([headBuffer, data])
        const end = headBuffer.indexOf('\r\n\r\n')
        if (end === -1) return
        head = headBuffer.subarray(0, end).toString('latin1')
        body = headBuffer.subarray(end + 4)
      }
      hash.update(body)
      bodyBytes += body.length
      if (options.stopAfter !== undefined && bodyBytes >= options.stopAfter) {
        socket.destroy()
        resolve({ head, bodyBytes, hash: '' })
        return
      }
      const pauseMs =
        options.pauseMs !== undefined && !paused && bodyBytes > 1024 * 1024 ? options.pauseMs : 0
      if (pauseMs > 0) paused = true
      const dueMs = (bodyBytes / options.bytesPerSecond) * 1000 - (Date.now() - started)
      if (dueMs > 0 || pauseMs > 0) {
        socket.pause()
        setTimeout(() => socket.resume(), Math.max(dueMs, 0) + pauseMs)
      }
    })
    socket.on('end', () => resolve({ head, bodyBytes, hash: hash.digest('hex') }))
    socket.on('error', reject)
  })
}

describe.each(['uws', 'node'] as const)('streamed responses on the %s core', (core) => {
  let app: App
  let port: number
  const stopped: number[] = []

  beforeAll(async () => {
    app = createApp({ logger: false })
    app.get('/big', (ctx) => {
      const chunks = Number(ctx.query.get('chunks') ?? 1024) // 1024 x 64 KiB = 64 MiB
      const sized = ctx.query.get('sized') === '1'
      async function* produce(): AsyncGenerator<Buffer> {
        try {
          for (let i = 0; i < chunks; i++) yield chunkAt(i)
        } finally {
          stopped.push(Date.now())
        }
      }
      return ctx.stream(produce(), sized ? { length: chunks * CHUNK } : {})
    })
    app.get('/readable', () => Readable.from(['a', 'b', 'c']))
    app.get('/web', () => new Blob(['web ', 'stream']).stream())
    port = (await app.listen({ port: 0, signals: false, core })).port
  })

  afterAll(() => app.close())

  it('returns Readables and web ReadableStreams as bodies', async () => {
    expect(await (await fetch(`http://127.0.0.1:${port}/readable`)).text()).toBe('abc')
    const web = await fetch(`http://127.0.0.1:${port}/web`)
    expect(web.headers.get('content-type')).toBe('application/octet-stream')
    expect(await web.text()).toBe('web stream')
  })

  it('C13: delivers 64 MiB to curl reading at 16 MB/s, hash intact, server memory far below the body', async () => {
    // curl is the reader (its own process): the RSS measured here is the server's alone.
    const rss = { before: process.memoryUsage().rss, peak: 0 }
    const sampler = setInterval(() => (rss.peak = Math.max(rss.peak, process.memoryUsage().rss)), 50)
    try {
      const { stdout } = await run(
        'sh',
        ['-c', `curl -sS --limit-rate 16M http://127.0.0.1:${port}/big | sha256sum`],
        { timeout: 20_000 },
      )
      expect(stdout.split(' ')[0]).toBe(expectedHash(1024))
    } finally {
      clearInterval(sampler)
    }
    expect(rss.peak - rss.before).toBeLessThan(32 * 1024 * 1024)
  })

  it('C13: a sized stream keeps its Content-Length, and a reader that pauses 2 s gets every byte', async () => {
    const chunks = 256 // 16 MiB
    const result = await download(port, `/big?sized=1&chunks=${chunks}`, {
      bytesPerSecond: 32 * 1024 * 1024,
      pauseMs: 2000,
    })
    expect(result.head.toLowerCase()).toContain(`content-length: ${chunks * CHUNK}`)
    expect(result.bodyBytes).toBe(chunks * CHUNK)
    expect(result.hash).toBe(expectedHash(chunks))
  })

  it('C13: stops the producer within a second when the client leaves after 16 MiB', async () => {
    const before = stopped.length
    await download(port, '/big?chunks=4096', {
      bytesPerSecond: 64 * 1024 * 1024,
      stopAfter: 16 * 1024 * 1024,
    })
    const leftAt = Date.now()
    await waitUntil(() => stopped.length > before, 3000, 'the producer to stop')
    expect((stopped[before] as number) - leftAt).toBeLessThan(1000)
    // The server is still serving.
    await sleep(10)
    expect((await fetch(`http://127.0.0.1:${port}/readable`)).status).toBe(200)
  })
})
