/**
 * One test suite every Broker passes (as Hono's routers share one): delivery with identical bytes, exact
 * and prefix patterns, glob characters taken literally, the publisher receiving its own message, close.
 */
import { describe, expect, it } from 'vitest'
import type { Broker } from '../../../src/index.js'

/** Two brokers on the same bus (two processes, as far as the contract goes). */
export interface BrokerPair {
  a: Broker
  b: Broker
}

type Received = Array<{ topic: string; payload: Buffer }>

function collector(): { received: Received; onMessage: (topic: string, payload: Buffer) => void } {
  const received: Received = []
  return { received, onMessage: (topic, payload) => void received.push({ topic, payload }) }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 100))

/** Registers the contract tests for a broker; `make` returns a fresh pair per test. */
export function brokerContract(name: string, make: () => Promise<BrokerPair>): void {
  describe(`${name} (Broker contract)`, () => {
    it('delivers every byte value unchanged, to the other broker and back to the publisher', async () => {
      const { a, b } = await make()
      const onA = collector()
      const onB = collector()
      await a.subscribe('*', onA.onMessage)
      await b.subscribe('*', onB.onMessage)
      const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
      await a.publish('bin', bytes)
      await a.publish('text', 'héllo ☃')
      await until(() => onA.received.length === 2 && onB.received.length === 2, 'both messages on both')
      for (const received of [onA.received, onB.received]) {
        expect(received[0]?.topic).toBe('bin')
        expect(received[0]?.payload.equals(bytes)).toBe(true)
        expect(received[1]).toEqual({ topic: 'text', payload: Buffer.from('héllo ☃') })
      }
      await Promise.all([a.close(), b.close()])
    })

    it('matches exact topics and prefixes ending in *, taking other glob characters literally', async () => {
      const { a, b } = await make()
      const exact = collector()
      const prefix = collector()
      const literal = collector()
      await b.subscribe('news', exact.onMessage)
      await b.subscribe('room:*', prefix.onMessage)
      await b.subscribe('odd[1]?*', literal.onMessage)
      for (const topic of ['news', 'newsy', 'room:1', 'room:2', 'rooms', 'odd1x', 'odd[1]?x']) {
        await a.publish(topic, topic)
      }
      await until(() => literal.received.length === 1, 'the literal pattern')
      await settle()
      expect(exact.received.map((m) => m.topic)).toEqual(['news'])
      expect(prefix.received.map((m) => m.topic)).toEqual(['room:1', 'room:2'])
      expect(literal.received.map((m) => m.topic)).toEqual(['odd[1]?x'])
      await Promise.all([a.close(), b.close()])
    })

    it('keeps the publish order of one publisher', async () => {
      const { a, b } = await make()
      const got = collector()
      await b.subscribe('*', got.onMessage)
      for (let i = 0; i < 200; i++) await a.publish('seq', String(i))
      await until(() => got.received.length === 200, '200 messages')
      expect(got.received.map((m) => Number(m.payload.toString()))).toEqual(
        Array.from({ length: 200 }, (_, i) => i),
      )
      await Promise.all([a.close(), b.close()])
    })

    it('stops delivering after close, and closing twice is fine', async () => {
      const { a, b } = await make()
      const got = collector()
      await b.subscribe('*', got.onMessage)
      await b.close()
      await b.close()
      await a.publish('after', 'x')
      await settle()
      expect(got.received).toEqual([])
      await a.close()
    })
  })
}
