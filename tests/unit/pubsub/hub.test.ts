/**
 * The pub/sub hub between the core and a broker, with fake cores: local native delivery, forwarding, own
 * messages dropped by origin, text and binary kept apart, failures logged once per outage.
 */
import { describe, expect, it } from 'vitest'
import type { Broker, WebSocketConnection } from '../../../src/index.js'
import { MemoryBroker, MemoryBus } from '../../../src/index.js'
import { PubSub } from '../../../src/pubsub/hub.js'
import { unwrap, wrap, newOrigin } from '../../../src/pubsub/envelope.js'
import { captureLogs, LEVEL } from '../../integration/helpers/server.js'

type Published = Array<{ topic: string; message: string | Uint8Array }>

/** A hub with a fake core that records native publishes. */
function hub(broker: Broker | undefined): {
  hub: PubSub
  published: Published
  lines: ReturnType<typeof captureLogs>['lines']
} {
  const { logger, lines } = captureLogs('info')
  const published: Published = []
  const pubsub = new PubSub(logger, broker)
  pubsub.useCore((topic, message) => (published.push({ topic, message }), true))
  return { hub: pubsub, published, lines }
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20))

function fakeConnection(id: string, sent: unknown[]): WebSocketConnection<unknown, object> {
  return {
    id,
    params: {},
    data: undefined,
    closed: false,
    bufferedAmount: 0,
    send: (message: unknown) => (sent.push(message), true),
    close: () => undefined,
    subscribe: () => undefined,
    unsubscribe: () => undefined,
    publish: () => undefined,
  }
}

describe('envelope', () => {
  it('round-trips text and binary payloads with their origin', () => {
    const origin = newOrigin()
    const text = unwrap(wrap(origin, 'héllo', false))
    expect(text?.binary).toBe(false)
    expect(text?.origin.equals(origin)).toBe(true)
    expect(text?.payload.toString()).toBe('héllo')
    const bytes = new Uint8Array([0, 255, 10, 13])
    const binary = unwrap(wrap(origin, bytes, true))
    expect(binary?.binary).toBe(true)
    expect([...(binary?.payload ?? [])]).toEqual([0, 255, 10, 13])
  })

  it('carries the id of a connection to leave out', () => {
    const origin = newOrigin()
    expect(unwrap(wrap(origin, 'x', false, 'c-42'))?.except).toBe('c-42')
    expect(unwrap(wrap(origin, 'x', false))?.except).toBeUndefined()
    expect(unwrap(wrap(origin, 'x', false, 'c-42'))?.payload.toString()).toBe('x')
  })

  it('refuses bytes that are not an envelope', () => {
    expect(unwrap(Buffer.from('hello'))).toBeUndefined()
    expect(unwrap(Buffer.alloc(40, 9))).toBeUndefined()
  })
})

describe('PubSub hub', () => {
  it('publishes natively here and in the other app, once each, keeping text and binary', async () => {
    const bus = new MemoryBus()
    const a = hub(new MemoryBroker(bus))
    const b = hub(new MemoryBroker(bus))
    await Promise.all([a.hub.start(), b.hub.start()])
    expect(a.hub.publish('t', { n: 1 })).toBe(true)
    a.hub.publish('t', new Uint8Array([1, 2, 3]))
    await tick()
    // A's own messages came back from the bus and were dropped: one native publish per message.
    expect(a.published).toEqual([
      { topic: 't', message: '{"n":1}' },
      { topic: 't', message: new Uint8Array([1, 2, 3]) },
    ])
    expect(b.published[0]).toEqual({ topic: 't', message: '{"n":1}' })
    expect(Buffer.isBuffer(b.published[1]?.message)).toBe(true)
    expect([...(b.published[1]?.message as Buffer)]).toEqual([1, 2, 3])
    expect(b.published).toHaveLength(2)
  })

  it('sends to a connection of another app by id, and to nobody else', async () => {
    const bus = new MemoryBus()
    const a = hub(new MemoryBroker(bus))
    const b = hub(new MemoryBroker(bus))
    await Promise.all([a.hub.start(), b.hub.start()])
    const sent: unknown[] = []
    b.hub.opened({ connection: fakeConnection('c-1', sent), publishExcept: () => true })
    expect(a.hub.sendTo('c-1', 'for you')).toBe(true)
    await tick()
    expect(sent).toEqual(['for you'])
    expect(b.published).toEqual([])
  })

  it('leaves out an excepted connection of another app', async () => {
    const bus = new MemoryBus()
    const a = hub(new MemoryBroker(bus))
    const b = hub(new MemoryBroker(bus))
    await Promise.all([a.hub.start(), b.hub.start()])
    const excepted: string[] = []
    b.hub.opened({
      connection: fakeConnection('c-2', []),
      publishExcept: (topic) => (excepted.push(topic), true),
    })
    a.hub.publish('group', 'hi', 'c-2')
    a.hub.publish('group', 'all')
    await tick()
    // B published the first message from c-2 (natively excluding it), the second one app-wide.
    expect(excepted).toEqual(['group'])
    expect(b.published).toEqual([{ topic: 'group', message: 'all' }])
  })

  it('answers false for an unknown connection without a broker', () => {
    expect(hub(undefined).hub.sendTo('nobody', 'x')).toBe(false)
  })

  it('logs a failing broker publish once per outage and keeps delivering locally', async () => {
    let failing = true
    const broker: Broker = {
      publish: async () => {
        if (failing) throw new Error('connection is closed')
      },
      subscribe: async () => undefined,
      close: async () => undefined,
    }
    const { hub: pubsub, published, lines } = hub(broker)
    for (let i = 0; i < 5; i++) expect(pubsub.publish('t', 'x')).toBe(true)
    await tick()
    expect(published).toHaveLength(5)
    const failures = (): number => lines.filter((l) => l.msg.startsWith('broker: publish failed')).length
    expect(failures()).toBe(1)
    expect(lines.find((l) => l.msg.startsWith('broker: publish failed'))?.level).toBe(LEVEL.error)
    failing = false
    pubsub.publish('t', 'ok')
    await tick()
    failing = true
    pubsub.publish('t', 'x')
    await tick()
    expect(failures()).toBe(2)
  })

  it('drops and logs a broker message that is not an envelope', async () => {
    const bus = new MemoryBus()
    const b = hub(new MemoryBroker(bus))
    await b.hub.start()
    new MemoryBroker(bus).publish('t', 'raw bytes from someone else')
    await tick()
    expect(b.published).toEqual([])
    expect(b.lines.some((l) => l.level === LEVEL.warn && l.msg.includes('not a Swiftlet envelope'))).toBe(
      true,
    )
  })

  it('logs a subscribe failure instead of rejecting', async () => {
    const broker: Broker = {
      publish: () => undefined,
      subscribe: async () => {
        throw new Error('no route to redis')
      },
      close: async () => undefined,
    }
    const { hub: pubsub, lines } = hub(broker)
    await expect(pubsub.start()).resolves.toBeUndefined()
    expect(lines.some((l) => l.level === LEVEL.error && l.msg.startsWith('broker: subscribing failed'))).toBe(
      true,
    )
  })
})
