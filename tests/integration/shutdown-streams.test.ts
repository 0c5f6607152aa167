/**
 * Graceful shutdown with long-lived work in flight (newcomer findings F1, F2, F4, F6): Server-Sent Events
 * streams end when shutdown starts instead of holding the drain to its deadline; an upload cut off by the
 * deadline still removes its temp files; listen() refuses options that cannot work.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createApp, ERR, parseMultipart, sse } from '../../src/index.js'
import { waitUntil } from './helpers/server.js'

describe('shutdown with streams and uploads in flight', () => {
  const dirs: string[] = []
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true })
  })

  it('ends open event streams at once (queued events still sent) and closes well before the deadline', async () => {
    const app = createApp({ logger: false })
    app.get('/events', (ctx) => {
      const stream = sse(ctx, { heartbeatMs: 0 })
      stream.send({ id: '1', data: 'hello' })
      return stream
    })
    const { port } = await app.listen({ port: 0, signals: false, shutdownTimeoutMs: 10_000 })
    const res = await fetch(`http://127.0.0.1:${port}/events`)
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    const first = new TextDecoder().decode((await reader.read()).value)
    expect(first).toContain('data: hello')
    const started = Date.now()
    await app.close()
    expect(Date.now() - started).toBeLessThan(3000)
    // The client sees a clean end of the response (not a reset), so EventSource reconnects elsewhere.
    let done = false
    while (!done) done = (await reader.read()).done
    expect(done).toBe(true)
  })

  it('removes the temp files of an upload that the shutdown deadline cut off', async () => {
    const dest = await mkdtemp(join(tmpdir(), 'swiftlet-shutdown-upload-'))
    dirs.push(dest)
    const app = createApp({ logger: false })
    let receiving = false
    app.post('/upload', { bodyLimit: 32 * 1024 * 1024 }, async (ctx) => {
      receiving = true
      const form = await parseMultipart(ctx, { dest, limits: { fileSize: 32 * 1024 * 1024 } })
      return { files: form.files.length }
    })
    const { port } = await app.listen({ port: 0, signals: false, shutdownTimeoutMs: 300 })
    const boundary = 'swiftletboundary'
    const head =
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n'
    const socket = net.connect(port, '127.0.0.1')
    socket.on('error', () => {})
    socket.write(
      `POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n` +
        `Content-Length: ${16 * 1024 * 1024}\r\n\r\n${head}`,
    )
    socket.write(Buffer.alloc(512 * 1024, 1))
    await waitUntil(() => receiving, 5000, 'the upload to start')
    // Part of the file is on disk when the shutdown deadline passes and the connection is closed.
    await new Promise((resolve) => setTimeout(resolve, 200))
    await app.close()
    socket.destroy()
    expect(await readdir(dest)).toEqual([])
  })

  it('refuses listen() options that cannot work, with ERR_INVALID_LISTEN_OPTIONS', async () => {
    const app = createApp({ logger: false })
    await expect(app.listen({ port: 0, signals: false, tls: {} })).rejects.toMatchObject({
      code: ERR.INVALID_LISTEN_OPTIONS,
    })
    await expect(
      app.listen({ port: 0, signals: false, core: 'bogus' as unknown as 'uws' }),
    ).rejects.toMatchObject({ code: ERR.INVALID_LISTEN_OPTIONS })
    await expect(app.listen({ port: 0, signals: false, workers: 0 })).rejects.toMatchObject({
      code: ERR.INVALID_LISTEN_OPTIONS,
    })
  })
})
