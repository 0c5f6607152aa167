import { describe, expect, it } from 'vitest'
import { safeEqual, signValue, unsignValue } from '../../../src/middleware/cookies/sign.js'
import { MemorySessionStore } from '../../../src/middleware/session/store.js'

describe('signValue / unsignValue', () => {
  it('round-trips with the current key and flags an older key as stale', () => {
    const signed = signValue(['old'], 'sid', 'abc')
    expect(unsignValue(['old'], 'sid', signed)).toEqual({ value: 'abc', stale: false })
    expect(unsignValue(['new', 'old'], 'sid', signed)).toEqual({ value: 'abc', stale: true })
  })

  it('rejects a retired key, another cookie name, and a value containing dots that was altered', () => {
    const signed = signValue(['k'], 'sid', 'a.b.c')
    expect(unsignValue(['k'], 'sid', signed)?.value).toBe('a.b.c')
    expect(unsignValue(['other'], 'sid', signed)).toBeUndefined()
    expect(unsignValue(['k'], 'csrf', signed)).toBeUndefined()
    expect(unsignValue(['k'], 'sid', signed.replace('a.b', 'a.x'))).toBeUndefined()
  })
})

describe('safeEqual', () => {
  it('compares strings of any length', () => {
    expect(safeEqual('abc', 'abc')).toBe(true)
    expect(safeEqual('abc', 'abd')).toBe(false)
    expect(safeEqual('abc', 'abcd')).toBe(false)
  })
})

describe('MemorySessionStore', () => {
  it('returns a copy, expires entries after maxAge seconds, and sweeps them on a later set', () => {
    let now = 0
    const store = new MemorySessionStore({ now: () => now, sweepInterval: 10 })
    const data = { user: 'ada' }
    store.set('a', data, 5)
    data.user = 'changed'
    expect(store.get('a')).toEqual({ user: 'ada' })
    now = 5000
    expect(store.get('a')).toBeUndefined()
    store.set('b', {}, 1)
    now = 20_000
    store.set('c', {}, 60)
    expect(store.size).toBe(1)
  })
})
