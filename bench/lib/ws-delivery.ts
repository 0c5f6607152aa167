/**
 * Delivery accounting of the broadcast scenarios (`ws-broadcast`, `sse`): which published messages reached
 * how many clients, how long each delivery took, and how long each message took to reach the *last* client.
 * Pure bookkeeping on the monotonic clock (see ws-protocol.ts); the generator feeds it.
 */
import { LatencyHistogram } from './latency-histogram.js'
import type { LatencyStats } from './latency-histogram.js'

/** One published message: when the server published it, how many clients have it, when the last one got it. */
interface MessageRecord {
  publishedUs: number
  received: number
  lastUs: number
}

/** What a bench message carries: its sequence number and the server's publish time (µs, monotonic). */
export interface BenchMessage {
  seq: number
  t: number
}

/** Reads `{"seq":…,"t":…}` from a message's text; undefined when it is not a bench message. */
export function parseBenchMessage(text: string): BenchMessage | undefined {
  try {
    const value = JSON.parse(text) as Partial<BenchMessage> | null
    if (typeof value?.seq !== 'number' || typeof value.t !== 'number') return undefined
    return { seq: value.seq, t: value.t }
  } catch {
    return undefined
  }
}

/** The accounting of one window. Message counts cover messages *published* inside the window. */
export interface DeliveryStats {
  /** Messages published in the window (gaps in `seq` count as messages nobody received). */
  messages: number
  /** Of those, the ones every client open at the start received. */
  completeMessages: number
  deliveries: number
  /** messages × clients open at the start. */
  expectedDeliveries: number
  /** Publish → the last client received it, per complete message. */
  fanout: LatencyStats
  /** Publish → each client received it, per delivery. */
  delivery: LatencyStats
}

/**
 * Counts deliveries of messages published between {@link open} and {@link close}. Messages published before
 * (the warm-up) or after are ignored, whenever they arrive: the window is defined by the publish time.
 */
export class DeliveryTracker {
  readonly #messages = new Map<number, MessageRecord>()
  readonly #delivery = new LatencyHistogram()
  #startUs: number | undefined
  #endUs: number | undefined
  deliveries = 0

  /** Opens the window at `nowUs`. */
  open(nowUs: number): void {
    this.#startUs = nowUs
  }

  /** Closes the window at `nowUs`: later publications do not count. */
  close(nowUs: number): void {
    this.#endUs = nowUs
  }

  /** One client received message `m` at `nowUs`. */
  deliver(m: BenchMessage, nowUs: number): void {
    if (this.#startUs === undefined || m.t < this.#startUs) return
    if (this.#endUs !== undefined && m.t > this.#endUs) return
    let record = this.#messages.get(m.seq)
    if (record === undefined) {
      record = { publishedUs: m.t, received: 0, lastUs: nowUs }
      this.#messages.set(m.seq, record)
    }
    record.received++
    if (nowUs > record.lastUs) record.lastUs = nowUs
    this.deliveries++
    this.#delivery.record((nowUs - m.t) / 1000)
  }

  /** Window messages (seen so far) that fewer than `expected` clients have received. */
  incomplete(expected: number): number {
    let n = this.#missingSeqs()
    for (const record of this.#messages.values()) if (record.received < expected) n++
    return n
  }

  /** Sequence numbers between the lowest and highest seen that no client received at all. */
  #missingSeqs(): number {
    if (this.#messages.size === 0) return 0
    const seqs = [...this.#messages.keys()]
    return Math.max(...seqs) - Math.min(...seqs) + 1 - seqs.length
  }

  /** The window's figures, with `expected` clients per message (those open when the window opened). */
  stats(expected: number): DeliveryStats {
    const fanout = new LatencyHistogram()
    let complete = 0
    for (const record of this.#messages.values()) {
      if (record.received < expected) continue
      complete++
      fanout.record((record.lastUs - record.publishedUs) / 1000)
    }
    const messages = this.#messages.size + this.#missingSeqs()
    return {
      messages,
      completeMessages: complete,
      deliveries: this.deliveries,
      expectedDeliveries: messages * expected,
      fanout: fanout.stats(),
      delivery: this.#delivery.stats(),
    }
  }
}
