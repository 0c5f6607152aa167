/**
 * The broker contract: what carries pub/sub messages between processes (or hosts), so `app.publish()` and
 * channel broadcasts in one process reach WebSockets connected to another. Swiftlet wraps each payload in
 * an envelope tagged with the publishing app's origin and drops its own messages when they come back, so a
 * broker only moves bytes and may deliver a message to its publisher too.
 */
import type { Logger } from '../logger.js'

/** Receives one message from the broker: its topic (as published) and its bytes. */
export type BrokerListener = (topic: string, payload: Buffer) => void

/**
 * A cross-process message bus. Implementations: {@link MemoryBroker} (apps in one process) and
 * {@link RedisBroker} (Redis pub/sub). Delivery is at most once: a message published while the bus is
 * unreachable is lost, as with Redis pub/sub itself.
 */
export interface Broker {
  /**
   * Sends `payload` (bytes are delivered as they are, binary-safe) to every subscriber of `topic`, in every
   * process, the publisher included. May reject (a connection problem): the app logs it and carries on.
   */
  publish(topic: string, payload: Buffer | string): void | Promise<void>
  /**
   * Delivers every message whose topic matches `pattern`: an exact topic, or a prefix ending in `*`
   * (`*` alone: every topic). Resolves once subscribed (or when the broker gave up waiting and keeps trying
   * in the background). Messages arrive in publish order per publisher.
   */
  subscribe(pattern: string, onMessage: BrokerListener): Promise<void>
  /** Ends the subscriptions and connections. Safe to call more than once; never rejects. */
  close(): Promise<void>
  /** Optional: receives the app's logger (a `component: 'broker'` child) for connection problems. */
  useLogger?(log: Logger): void
}

/** True when `topic` matches a {@link Broker.subscribe} pattern (exact, or a prefix ending in `*`). */
export function topicMatches(pattern: string, topic: string): boolean {
  return pattern.endsWith('*') ? topic.startsWith(pattern.slice(0, -1)) : topic === pattern
}
