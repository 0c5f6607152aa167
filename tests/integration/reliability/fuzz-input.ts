/**
 * Seeded generators of random and mutated HTTP/1.1 requests for the fuzz test. The same seed always gives
 * the same requests, so a failure can be replayed (`SWIFTLET_FUZZ_SEED=<seed>`).
 */

/** A PRNG (mulberry32): deterministic for a seed, uniform enough for fuzzing. */
export class Prng {
  #state: number

  constructor(seed: number) {
    this.#state = seed >>> 0
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0
    let t = this.#state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** An integer in [0, max). */
  int(max: number): number {
    return Math.floor(this.next() * max)
  }

  /** One item of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T
  }
}

const TEMPLATES: readonly string[] = [
  'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
  'GET /users/Jo%C3%A3o?tag=a&tag=b HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n',
  'HEAD /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
  'OPTIONS /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
  'POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{"name":"a"}\n',
  'POST /json HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 30\r\n\r\n{"a":{"__proto__":{"x":1}},"b"',
  'POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
  'GET /files/a%2Fb/../%2e%2e/c?q=%ZZ HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: a=b; c=d\r\n\r\n',
]

/** Fragments that tend to matter to an HTTP parser. */
const TOKENS: readonly string[] = [
  '\r\n',
  '\n',
  '\r',
  '\0',
  ' ',
  '\t',
  ':',
  '%',
  '%00',
  '%2F',
  '%5C',
  '/../',
  '//',
  '\\',
  '\xff',
  'Content-Length: 5\r\n',
  'Content-Length: -1\r\n',
  'Content-Length: 99999999999999999999\r\n',
  'Transfer-Encoding: chunked\r\n',
  'Transfer-Encoding: gzip, chunked\r\n',
  'Expect: 100-continue\r\n',
  'Expect: foo\r\n',
  'Connection: close\r\n',
  ' folded\r\n',
  'X_Under: 1\r\n',
  'x-request-id: \r\n',
  'HTTP/1.0',
  'HTTP/2.0',
  'ffffffff\r\n',
  '{"__proto__":{"polluted":true}}',
  '?a[__proto__]=b&a[length]=100000000',
]

/** One request: a mutated template, now and then pure random bytes. */
export function fuzzRequest(rng: Prng): Buffer {
  if (rng.int(10) === 0) return randomBytes(rng, 1 + rng.int(512))
  let bytes: Buffer = Buffer.from(rng.pick(TEMPLATES), 'latin1')
  const mutations = 1 + rng.int(4)
  for (let i = 0; i < mutations; i++) bytes = mutate(rng, bytes)
  return bytes
}

function mutate(rng: Prng, bytes: Buffer): Buffer {
  const at = rng.int(bytes.length + 1)
  switch (rng.int(6)) {
    case 0: // flip one byte
      return Buffer.concat([bytes.subarray(0, at), Buffer.of(rng.int(256)), bytes.subarray(at + 1)])
    case 1: // insert a token
      return Buffer.concat([
        bytes.subarray(0, at),
        Buffer.from(rng.pick(TOKENS), 'latin1'),
        bytes.subarray(at),
      ])
    case 2: // delete a range
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + rng.int(16))])
    case 3: {
      // repeat a range (long lines, duplicate headers)
      const piece = bytes.subarray(at, at + 1 + rng.int(40))
      const copies = Array.from({ length: 1 + rng.int(200) }, () => piece)
      return Buffer.concat([bytes.subarray(0, at), ...copies, bytes.subarray(at)])
    }
    case 4: // truncate
      return bytes.subarray(0, at)
    default: // random bytes in the middle
      return Buffer.concat([bytes.subarray(0, at), randomBytes(rng, 1 + rng.int(32)), bytes.subarray(at)])
  }
}

function randomBytes(rng: Prng, length: number): Buffer {
  const out = Buffer.alloc(length)
  for (let i = 0; i < length; i++) out[i] = rng.int(256)
  return out
}
