/**
 * An in-process {@link Broker}: several apps in one process (tests, or one app per port) sharing topics.
 * It does not cross process boundaries (worker threads included); use {@link RedisBroker} for that.
 */
import type { Broker, BrokerListener } from './broker.js'
import { topicMatches } from './broker.js'

/** The shared bus several {@link MemoryBroker}s attach to. */
export class MemoryBus {
  readonly #subscriptions = new Set<{ pattern: string; onMessage: BrokerListener }>()

  /** @internal */
  add(subscription: { pattern: string; onMessage: BrokerListener }): void {
    this.#subscriptions.add(subscription)
  }

  /** @internal */
  remove(subscription: { pattern: string; onMessage: BrokerListener }): void {
    this.#subscriptions.delete(subscription)
  }

  /** @internal Delivers on a later tick, as a network broker would, so publishers never re-enter. */
  deliver(topic: string, payload: Buffer): void {
    const targets = [...this.#subscriptions].filter((s) => topicMatches(s.pattern, topic))
    if (targets.length === 0) return
    queueMicrotask(() => {
      for (const target of targets) target.onMessage(topic, payload)
    })
  }
}

const DEFAULT_BUS = new MemoryBus()

/**
 * A broker over an in-memory bus. Every `MemoryBroker` on the same bus (by default one per process)
 * receives what the others publish.
 *
 * @example
 * const a = createApp({ broker: new MemoryBroker() })
 * const b = createApp({ broker: new MemoryBroker() }) // a.publish('news', 'hi') reaches b's sockets
 */
export class MemoryBroker implements Broker {
  readonly #bus: MemoryBus
  readonly #mine = new Set<{ pattern: string; onMessage: BrokerListener }>()
  #closed = false

  /** @param bus - The bus to share. @default one bus per process */
  constructor(bus: MemoryBus = DEFAULT_BUS) {
    this.#bus = bus
  }

  publish(topic: string, payload: Buffer | string): void {
    if (this.#closed) return
    // A copy, so a publisher reusing its buffer cannot change what subscribers see.
    this.#bus.deliver(topic, Buffer.from(payload))
  }

  async subscribe(pattern: string, onMessage: BrokerListener): Promise<void> {
    if (this.#closed) return
    const subscription = { pattern, onMessage }
    this.#mine.add(subscription)
    this.#bus.add(subscription)
  }

  async close(): Promise<void> {
    this.#closed = true
    for (const subscription of this.#mine) this.#bus.remove(subscription)
    this.#mine.clear()
  }
}
