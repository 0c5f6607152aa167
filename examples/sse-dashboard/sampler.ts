/**
 * One timer for every dashboard: each interval it reads the numbers once, keeps the last samples, and sends
 * the new one to every open event stream. A client that reconnects with `Last-Event-ID: n` first gets the
 * samples after n that are still kept, so its figures continue without a gap.
 */
import type { EventStream } from '../../src/index.js'

/** The numbers the server reads each interval. */
export interface Readings {
  /** Requests served since the app started. */
  requests: number
  /** Requests being handled now (open event streams included). */
  inFlight: number
  /** Longest event-loop delay in the last interval, in ms (a stall shows here even when it was the only one). */
  loopDelayMaxMs: number
  /** Resident set size, in MB (10^6 bytes). */
  rssMb: number
  /** V8 heap in use, in MB (10^6 bytes). */
  heapUsedMb: number
}

/** One sample, as sent in each `sample` event. */
export interface Sample extends Readings {
  /** Sequence number, from 1; also the event's `id:`. */
  id: number
  /** When it was taken (ISO 8601). */
  at: string
  /** A random walk, for something that always moves. */
  walk: number
  /** Dashboards connected. */
  clients: number
}

/** Where a client that reconnects picks up. */
export interface Resume {
  /** The id it resumes after (its Last-Event-ID), or null for a fresh start. */
  resumedAfter: number | null
  /** The kept samples it missed, oldest first. */
  missed: Sample[]
}

/** Samples numbers every `intervalMs` and fans them out to event streams. */
export class Sampler {
  readonly #read: () => Readings
  readonly #intervalMs: number
  readonly #historySize: number
  readonly #streams = new Set<EventStream>()
  readonly #history: Sample[] = []
  #seq = 0
  #walk = 100
  #timer: NodeJS.Timeout | undefined

  /**
   * @param read - Reads the current numbers (called once per interval).
   * @param intervalMs - Time between samples, in ms.
   * @param historySize - Samples kept for clients that reconnect.
   */
  constructor(read: () => Readings, intervalMs: number, historySize: number) {
    this.#read = read
    this.#intervalMs = intervalMs
    this.#historySize = historySize
  }

  /** Dashboards connected now. */
  get clients(): number {
    return this.#streams.size
  }

  start(): void {
    this.#timer ??= setInterval(() => this.tick(), this.#intervalMs).unref()
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  /** Takes one sample and sends it to every stream. */
  tick(): Sample {
    this.#walk = Math.round((this.#walk + (Math.random() - 0.5) * 4) * 100) / 100
    const sample: Sample = {
      id: ++this.#seq,
      at: new Date().toISOString(),
      ...this.#read(),
      walk: this.#walk,
      clients: this.#streams.size,
    }
    this.#history.push(sample)
    if (this.#history.length > this.#historySize) this.#history.shift()
    for (const stream of this.#streams) send(stream, sample)
    return sample
  }

  /**
   * Where a client with this `Last-Event-ID` resumes. An id this process did not give out (garbage, another
   * process's, one from before a restart) starts fresh.
   */
  resumeFrom(lastEventId: string | undefined): Resume {
    const last = parseId(lastEventId)
    if (last === null || last > this.#seq) return { resumedAfter: null, missed: [] }
    return { resumedAfter: last, missed: this.#history.filter((sample) => sample.id > last) }
  }

  /** Sends `replay` to `stream`, then each new sample until the stream ends. */
  attach(stream: EventStream, replay: readonly Sample[] = []): void {
    for (const sample of replay) send(stream, sample)
    this.#streams.add(stream)
    stream.onClose(() => this.#streams.delete(stream))
  }

  /** Ends every stream (at shutdown: open streams would otherwise hold the graceful drain). */
  endAll(): void {
    for (const stream of this.#streams) stream.end()
  }
}

function send(stream: EventStream, sample: Sample): boolean {
  return stream.send({ id: String(sample.id), event: 'sample', data: sample })
}

/** A decimal event id, or null. */
function parseId(value: string | undefined): number | null {
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : null
}
