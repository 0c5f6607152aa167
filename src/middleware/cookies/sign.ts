/**
 * HMAC-SHA256 signatures for cookie values, with key rotation: sign with the first key, accept any key.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

/** A signing key: a string (UTF-8) or raw bytes. Use at least 32 random bytes. */
export type SigningKey = string | Uint8Array

/**
 * Checks a key list: at least one key, none empty.
 * @throws TypeError when `keys` is empty or holds an empty key.
 */
export function assertKeys(keys: readonly SigningKey[] | undefined, who: string): readonly SigningKey[] {
  if (!keys || keys.length === 0) throw new TypeError(`${who}: \`keys\` needs at least one signing key`)
  for (const key of keys) {
    if (key.length === 0) throw new TypeError(`${who}: signing keys must not be empty`)
  }
  return keys
}

function mac(key: SigningKey, name: string, value: string): string {
  // The cookie name is signed too, so a value signed for one cookie cannot be replayed in another.
  return createHmac('sha256', key).update(`${name}=${value}`).digest('base64url')
}

/** `value.signature`, signed with the first key. */
export function signValue(keys: readonly SigningKey[], name: string, value: string): string {
  return `${value}.${mac(keys[0] as SigningKey, name, value)}`
}

/** The outcome of checking a signed value. */
export interface Unsigned {
  value: string
  /** True when an older key (not the first) matched: re-sign to rotate the cookie onto the current key. */
  stale: boolean
}

/**
 * Verifies `value.signature` against every key, in constant time per key.
 * @returns The value and whether it was signed with an older key; undefined when no key matches.
 */
export function unsignValue(keys: readonly SigningKey[], name: string, signed: string): Unsigned | undefined {
  const dot = signed.lastIndexOf('.')
  if (dot <= 0) return undefined
  const value = signed.slice(0, dot)
  const given = Buffer.from(signed.slice(dot + 1))
  for (let i = 0; i < keys.length; i++) {
    const expected = Buffer.from(mac(keys[i] as SigningKey, name, value))
    if (expected.length === given.length && timingSafeEqual(expected, given)) return { value, stale: i > 0 }
  }
  return undefined
}

/** Compares two strings in constant time (for their length). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}
