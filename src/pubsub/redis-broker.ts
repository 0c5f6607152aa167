/**
 * A {@link Broker} over Redis pub/sub (ioredis): one connection publishes, a second one subscribes (a Redis
 * connection in subscriber mode can run nothing else). Topics become channels under a prefix
 * (`swiftlet:` + topic); payloads travel as bytes, so binary messages stay intact.
 *
 * Reconnects: ioredis reconnects on its own (delays of 50 ms, 100 ms... up to 2 s between attempts) and
 * re-subscribes once back. Redis pub/sub delivers at most once: what is published while a connection is
 * down is lost, never replayed. Publishes made while the publishing connection is down wait for at most 3
 * reconnect attempts, then fail (logged once per outage); local subscribers get every message regardless.
 */
import type { Redis, RedisOptions } from 'ioredis'
import { createLogger, type Logger } from '../logger.js'
import type { Broker, BrokerListener } from './broker.js'

/** Options for {@link RedisBroker}. */
export interface RedisBrokerOptions {
  /** `redis://[user:password@]host:port[/db]`. @default 'redis://127.0.0.1:6379' */
  url?: string
  /** Extra ioredis options for both connections (TLS, password, `retryStrategy`...). */
  redis?: RedisOptions
  /** Channel prefix, so several apps can share one Redis. @default 'swiftlet:' */
  prefix?: string
  /**
   * How long `subscribe()` waits for Redis before resolving anyway, in ms; the subscription stays queued
   * and is made as soon as Redis answers. @default 5000
   */
  subscribeTimeoutMs?: number
  /** Where connection problems are logged. @default the app's logger (`component: 'broker'`) */
  logger?: Logger
}

type Role = 'publisher' | 'subscriber'

/** Escapes Redis glob characters (`* ? [ ] \`) so a literal prefix matches only itself. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`)
}

/**
 * Redis pub/sub broker. Give one to each app: `createApp({ broker: new RedisBroker({ url }) })`; the app
 * subscribes when it listens and closes the broker on `app.close()`.
 */
export class RedisBroker implements Broker {
  readonly #options: RedisBrokerOptions
  readonly #prefix: string
  #log: Logger | undefined
  #publisher: Promise<Redis> | undefined
  #subscriber: Promise<Redis> | undefined
  readonly #clients: Redis[] = []
  /** Listeners by Redis channel (exact subscriptions) and by Redis pattern (prefix subscriptions). */
  readonly #exact = new Map<string, BrokerListener[]>()
  readonly #patterns = new Map<string, BrokerListener[]>()
  readonly #healthy: Record<Role, boolean> = { publisher: true, subscriber: true }
  #closed = false

  constructor(options: RedisBrokerOptions = {}) {
    this.#options = options
    this.#prefix = options.prefix ?? 'swiftlet:'
    this.#log = options.logger
  }

  useLogger(log: Logger): void {
    this.#log ??= log
  }

  /** Publishes to `prefix + topic`. @throws (rejects) when Redis stays unreachable (see the class notes). */
  async publish(topic: string, payload: Buffer | string): Promise<void> {
    if (this.#closed) return
    this.#publisher ??= this.#connect('publisher', { maxRetriesPerRequest: 3 })
    const client = await this.#publisher
    await client.publish(this.#prefix + topic, payload)
  }

  async subscribe(pattern: string, onMessage: BrokerListener): Promise<void> {
    if (this.#closed) return
    // The subscriber waits for Redis as long as it takes (maxRetriesPerRequest null): its SUBSCRIBE is
    // queued, then remembered and repeated by ioredis after every reconnect.
    this.#subscriber ??= this.#connect('subscriber', { maxRetriesPerRequest: null })
    const client = await this.#subscriber
    const prefix = pattern.endsWith('*')
    const key = prefix ? escapeGlob(this.#prefix + pattern.slice(0, -1)) + '*' : this.#prefix + pattern
    const map = prefix ? this.#patterns : this.#exact
    const listeners = map.get(key)
    if (listeners) return void listeners.push(onMessage)
    map.set(key, [onMessage])
    const subscribed = prefix ? client.psubscribe(key) : client.subscribe(key)
    const timeoutMs = this.#options.subscribeTimeoutMs ?? 5000
    let timer: NodeJS.Timeout | undefined
    const waited = new Promise<'timeout'>((resolve) => (timer = setTimeout(resolve, timeoutMs, 'timeout')))
    try {
      const outcome = await Promise.race([subscribed, waited])
      if (outcome === 'timeout') {
        this.#logger().warn(
          { pattern, timeoutMs },
          'broker: Redis not reachable yet; subscribing as soon as it answers',
        )
      }
    } finally {
      clearTimeout(timer)
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await Promise.all(
      this.#clients.map(async (client) => {
        // QUIT lets Redis finish what it was sent; a connection that is down is simply dropped (QUIT
        // would wait in the offline queue forever).
        if (client.status === 'ready') {
          const quit = client.quit().catch(() => undefined)
          const bounded = new Promise((resolve) => setTimeout(resolve, 1000).unref())
          await Promise.race([quit, bounded])
        }
        client.disconnect()
      }),
    )
  }

  async #connect(role: Role, extra: RedisOptions): Promise<Redis> {
    const { Redis } = await import('ioredis')
    const options: RedisOptions = { ...this.#options.redis, ...extra }
    const client = new Redis(this.#options.url ?? 'redis://127.0.0.1:6379', options)
    this.#clients.push(client)
    if (this.#closed) client.disconnect()
    client.on('error', (err: Error) => this.#onError(role, err))
    client.on('ready', () => {
      if (this.#healthy[role]) return
      this.#healthy[role] = true
      this.#logger().info({ role }, 'broker: Redis connection back')
    })
    if (role === 'subscriber') {
      client.on('messageBuffer', (channel: Buffer, message: Buffer) =>
        this.#deliver(this.#exact.get(channel.toString()), channel, message),
      )
      client.on('pmessageBuffer', (pattern: Buffer, channel: Buffer, message: Buffer) =>
        this.#deliver(this.#patterns.get(pattern.toString()), channel, message),
      )
    }
    return client
  }

  /** Logs the first error of an outage only: a reconnect loop must not flood the log. */
  #onError(role: Role, err: Error): void {
    if (!this.#healthy[role]) return
    this.#healthy[role] = false
    this.#logger().error({ err, role }, 'broker: Redis connection failed; reconnecting')
  }

  #deliver(listeners: BrokerListener[] | undefined, channel: Buffer, message: Buffer): void {
    if (!listeners || this.#closed) return
    const topic = channel.toString().slice(this.#prefix.length)
    for (const listener of listeners) {
      // No exception may escape into ioredis's parser: it would break the connection.
      try {
        listener(topic, message)
      } catch (err) {
        this.#logger().error({ err, topic }, 'broker: message listener failed')
      }
    }
  }

  #logger(): Logger {
    return (this.#log ??= createLogger(true).child({ component: 'broker' }))
  }
}
