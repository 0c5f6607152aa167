/**
 * The generator of the real-time scenarios, run as its own child process (`node --import tsx
 * bench/lib/ws-generator.ts`) so its CPU is measured apart from the server's. It opens `connections`
 * WebSocket clients (the `ws` package) or SSE subscribers (sse-client.ts) with a bounded number of handshakes
 * in progress, reports the connect phase, then counts the deliveries of the messages the server publishes
 * between `go` and `stop` (ws-delivery.ts). Talks to the harness over IPC (ws-protocol.ts).
 *
 * Not meant to be run by hand.
 */
import { createRequire } from 'node:module'
import { setTimeout as sleep } from 'node:timers/promises'
import WebSocket from 'ws'
import { LatencyHistogram } from './latency-histogram.js'
import { subscribe } from './sse-client.js'
import type { Subscription } from './sse-client.js'
import { DeliveryTracker, parseBenchMessage } from './ws-delivery.js'
import { runGeneratorMain } from './generator-ipc.js'
import { monotonicUs } from './ws-protocol.js'
import type {
  ConnectSummary,
  RealtimeConfig,
  RealtimeGeneratorMessage,
  RealtimeParentMessage,
} from './ws-protocol.js'

const wsVersion = (createRequire(import.meta.url)('ws/package.json') as { version: string }).version

function send(message: RealtimeGeneratorMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) throw new Error('ws-generator.ts must be started with an IPC channel')
    process.send(message, undefined, {}, () => resolve())
  })
}

function nextMessage<T extends RealtimeParentMessage['type']>(
  type: T,
): Promise<Extract<RealtimeParentMessage, { type: T }>> {
  return new Promise((resolve) => {
    const onMessage = (message: RealtimeParentMessage) => {
      if (message.type !== type) return
      process.off('message', onMessage)
      resolve(message as Extract<RealtimeParentMessage, { type: T }>)
    }
    process.on('message', onMessage)
  })
}

type Opener = (onMessage: (text: string) => void, onClosed: () => void) => Promise<Subscription>

/** One `ws` client; resolves on `open`. No compression (the uWS build has none) and no UTF-8 check. */
function openWebSocket(config: RealtimeConfig): Opener {
  return (onMessage, onClosed) =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(config.url, {
        perMessageDeflate: false,
        handshakeTimeout: config.handshakeTimeoutMs,
        // The client's CPU per message is part of the measured delivery time: skip work the bench does not need.
        skipUTF8Validation: true,
      })
      let opened = false
      ws.on('open', () => {
        opened = true
        resolve({ close: () => ws.terminate() })
      })
      ws.on('message', (data: Buffer) => onMessage(data.toString()))
      ws.on('error', (error) => {
        if (!opened) reject(error)
      })
      ws.on('close', (code) => {
        if (opened) onClosed()
        else reject(new Error(`closed with ${code} before opening`))
      })
    })
}

function openSse(config: RealtimeConfig): Opener {
  return (onMessage, onClosed) =>
    subscribe(config.url, { event: onMessage, closed: onClosed }, config.handshakeTimeoutMs)
}

/** Every client of the run and what they received. */
class Clients {
  readonly tracker = new DeliveryTracker()
  open = 0
  /** Clients that closed after opening (the generator never closes one itself): each one is an error. */
  closed = 0
  malformed = 0

  readonly onMessage = (text: string): void => {
    const message = parseBenchMessage(text)
    if (message === undefined) this.malformed++
    else this.tracker.deliver(message, monotonicUs())
  }

  readonly onClosed = (): void => {
    this.open--
    this.closed++
  }

  add(): void {
    this.open++
  }
}

/** Opens every client, at most `connectConcurrency` handshakes at a time. */
async function connectAll(config: RealtimeConfig, open: Opener, clients: Clients): Promise<ConnectSummary> {
  const started = performance.now()
  const cpuBefore = process.cpuUsage()
  const deadline = started + config.connectDeadlineS * 1000
  const latency = new LatencyHistogram()
  let next = 0
  let errors = 0
  let firstError: string | undefined
  const worker = async () => {
    while (next < config.connections) {
      if (performance.now() > deadline) {
        errors += config.connections - next
        firstError ??= `not all connections were open after ${config.connectDeadlineS} s`
        next = config.connections
        break
      }
      next++
      const t0 = performance.now()
      try {
        await open(clients.onMessage, clients.onClosed)
        clients.add()
        latency.record(performance.now() - t0)
      } catch (error) {
        errors++
        firstError ??= error instanceof Error ? error.message : String(error)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(config.connectConcurrency, config.connections) }, worker))
  const cpu = process.cpuUsage(cpuBefore)
  return {
    opened: clients.open,
    errors,
    firstError,
    seconds: (performance.now() - started) / 1000,
    latency: latency.stats(),
    cpuUs: cpu.user + cpu.system,
  }
}

/** One progress message per second. */
function startTicker(clients: Clients, phase: () => 'connect' | 'run'): NodeJS.Timeout {
  const started = performance.now()
  return setInterval(() => {
    const elapsedS = (performance.now() - started) / 1000
    void send({
      type: 'progress',
      phase: phase(),
      elapsedS,
      open: clients.open,
      deliveries: clients.tracker.deliveries,
    })
  }, 1000)
}

/** After `stop`: waits until every window message reached every client, for at most `graceMs`. */
async function drain(config: RealtimeConfig, clients: Clients, expected: number): Promise<void> {
  if (config.kind === 'ws-idle') return
  const until = performance.now() + config.graceMs
  while (clients.tracker.incomplete(expected) > 0 && performance.now() < until) await sleep(20)
}

async function main(): Promise<void> {
  const { config } = await nextMessage('start')
  const clients = new Clients()
  let phase: 'connect' | 'run' = 'connect'
  const ticker = startTicker(clients, () => phase)
  const opener = config.kind === 'sse' ? openSse(config) : openWebSocket(config)
  const connect = await connectAll(config, opener, clients)
  phase = 'run'
  await send({ type: 'connected', ...connect })
  await nextMessage('go')
  const stopped = nextMessage('stop')
  const cpuBefore = process.cpuUsage()
  const startedAt = performance.now()
  const openAtStart = clients.open
  clients.tracker.open(monotonicUs())
  await stopped
  clients.tracker.close(monotonicUs())
  const windowS = (performance.now() - startedAt) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  await drain(config, clients, openAtStart)
  clearInterval(ticker)
  const stats = clients.tracker.stats(openAtStart)
  const summary = {
    ...stats,
    windowS,
    cpuUs: cpu.user + cpu.system,
    maxRssKb: process.resourceUsage().maxRSS,
    openAtStart,
    closedDuringRun: clients.closed,
    malformed: clients.malformed,
  }
  const [client, clientVersion] =
    config.kind === 'sse' ? ['node:http', process.versions.node] : ['ws', wsVersion]
  await send({ type: 'result', summary, client, clientVersion })
  // The clients stay open until the harness stops this process (SIGTERM), after its last look at the server.
  await new Promise(() => {})
}

runGeneratorMain(main, (message) => send({ type: 'failed', message }))
