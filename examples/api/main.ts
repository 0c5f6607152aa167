/**
 * Runs the example API (`npm start`): port 3000 (`PORT`), host 127.0.0.1 (`HOST`), I/O delay 50 ms
 * (`IO_DELAY_MS`). Starts the upstream service for `/io?kind=upstream` alongside, in its own process,
 * unless `UPSTREAM_URL` points at one. When started by the load test (with an IPC channel) it reports
 * `{ type: 'listening', port, core }`.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { buildApp } from './app.js'

const ioDelayMs = Number(process.env.IO_DELAY_MS ?? 50)

async function startUpstream(): Promise<{ url: string; child?: ChildProcess }> {
  if (process.env.UPSTREAM_URL) return { url: process.env.UPSTREAM_URL }
  const child = fork(fileURLToPath(new URL('./upstream.ts', import.meta.url)), {
    env: { ...process.env, IO_DELAY_MS: String(ioDelayMs) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port))
    child.once('exit', (code) => reject(new Error(`upstream exited with code ${code}`)))
  })
  return { url: `http://127.0.0.1:${port}`, child }
}

const upstream = await startUpstream()
const app = await buildApp({ ioDelayMs, upstreamUrl: upstream.url })
app.onShutdown(() => upstream.child?.kill('SIGTERM'))
const info = await app.listen({
  port: Number(process.env.PORT ?? 3000),
  host: process.env.HOST ?? '127.0.0.1',
})
process.send?.({ type: 'listening', port: info.port, core: info.core, upstream: upstream.url })
// Started by the load test: if it goes away (even killed), do not outlive it.
process.on('disconnect', () => void app.close().then(() => process.exit(0)))
