import { describe, expect, it } from 'vitest'
import { createApp, MemoryStore, rateLimit, takeTokens } from '../../../src/index.js'

const POLICY = { capacity: 10, refillMs: 10_000 } // one token per second

describe('takeTokens', () => {
  it('refills in proportion to the time elapsed, up to the capacity', () => {
    const state = { tokens: 0, updatedAt: 0 }
    expect(takeTokens(state, 1, POLICY, 2_500)).toMatchObject({ allowed: true, remaining: 1 })
    expect(takeTokens(state, 1, POLICY, 1_000_000)).toMatchObject({ allowed: true, remaining: 9 })
  })

  it('says how long until the request would fit and until the bucket is full', () => {
    const state = { tokens: 0.5, updatedAt: 0 }
    expect(takeTokens(state, 2, POLICY, 0)).toMatchObject({
      allowed: false,
      remaining: 0,
      retryAfterMs: 1_500,
      resetMs: 9_500,
    })
  })
})

describe('MemoryStore', () => {
  it('allows a burst of capacity, then refuses until tokens come back', () => {
    let now = 0
    const store = new MemoryStore({ now: () => now })
    const answers = Array.from({ length: 11 }, () => store.consume('k', 1, POLICY).allowed)
    expect(answers.filter(Boolean)).toHaveLength(10)
    expect(answers[10]).toBe(false)
    now += 1_000
    expect(store.consume('k', 1, POLICY).allowed).toBe(true)
  })

  it('drops the least recently used bucket beyond maxKeys', () => {
    const store = new MemoryStore({ now: () => 0, maxKeys: 3 })
    for (const key of ['a', 'b', 'c']) store.consume(key, 5, POLICY)
    store.consume('a', 1, POLICY) // a is now the most recently used
    store.consume('d', 5, POLICY) // evicts b
    expect(store.size).toBe(3)
    expect(store.consume('b', 1, POLICY).remaining).toBe(9)
    expect(store.consume('a', 1, POLICY).remaining).toBe(3)
  })

  it('forgets a bucket on reset', () => {
    const store = new MemoryStore({ now: () => 0 })
    store.consume('k', 10, POLICY)
    store.reset('k')
    expect(store.consume('k', 1, POLICY).allowed).toBe(true)
  })
})

describe('rateLimit', () => {
  it('rejects a cost above the limit at startup', () => {
    expect(() => rateLimit({ limit: 2, cost: 3 })).toThrow(RangeError)
  })

  it('uses a custom store and omits headers when asked, except on 429', async () => {
    const calls: string[] = []
    const app = createApp({ logger: false })
    app.use(
      rateLimit({
        headers: false,
        store: {
          consume: async (key) => {
            calls.push(key)
            const allowed = calls.length < 2
            return { allowed, remaining: 0, retryAfterMs: 2_500, resetMs: 5_000 }
          },
          reset: () => undefined,
        },
      }),
    )
    app.get('/', () => 'ok')
    const ok = await app.inject('/')
    expect(ok.headers['ratelimit-remaining']).toBeUndefined()
    const limited = await app.inject('/')
    expect(limited.status).toBe(429)
    expect(limited.headers['retry-after']).toBe('3')
    expect(limited.headers['ratelimit-reset']).toBe('5')
    expect(calls).toEqual(['127.0.0.1', '127.0.0.1'])
  })
})
