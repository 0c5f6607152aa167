/**
 * The bytes Swiftlet hands a broker: version (1 byte), flags (1 byte), the 16-byte origin of the
 * publishing app, the length (1 byte) and ASCII id of a connection left out of the message (0 when none),
 * then the payload as is. The origin lets an app drop its own messages when the broker echoes them back
 * (its local subscribers already got them natively); the flag keeps text frames text and binary frames
 * binary across processes; the excepted id lets `broadcast(group, msg, { except: id })` skip a connection
 * wherever it is connected.
 */
import { randomBytes } from 'node:crypto'

const VERSION = 1
const BINARY = 0b1
const ORIGIN_BYTES = 16
const FIXED_BYTES = 2 + ORIGIN_BYTES + 1

/** A decoded envelope. */
export interface Envelope {
  origin: Buffer
  binary: boolean
  /** The id of a connection that must not receive the message. */
  except: string | undefined
  /** The payload bytes (a view into the received buffer). */
  payload: Buffer
}

/** A random origin id for one app. */
export function newOrigin(): Buffer {
  return randomBytes(ORIGIN_BYTES)
}

/**
 * Wraps a text (string) or binary (bytes) payload.
 * @param except - A connection id (ASCII, at most 255 bytes; longer ids are not sent).
 */
export function wrap(origin: Buffer, data: string | Uint8Array, binary: boolean, except = ''): Buffer {
  const payload = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
  const id = except.length <= 255 ? Buffer.from(except, 'latin1') : Buffer.alloc(0)
  const header = FIXED_BYTES + id.byteLength
  const out = Buffer.allocUnsafe(header + payload.byteLength)
  out[0] = VERSION
  out[1] = binary ? BINARY : 0
  origin.copy(out, 2)
  out[2 + ORIGIN_BYTES] = id.byteLength
  id.copy(out, FIXED_BYTES)
  out.set(payload, header)
  return out
}

/** Unwraps an envelope; undefined for bytes that are not one (someone else publishing on the topic). */
export function unwrap(bytes: Buffer): Envelope | undefined {
  if (bytes.byteLength < FIXED_BYTES || bytes[0] !== VERSION) return undefined
  const idLength = bytes[2 + ORIGIN_BYTES] as number
  const header = FIXED_BYTES + idLength
  if (bytes.byteLength < header) return undefined
  return {
    origin: bytes.subarray(2, 2 + ORIGIN_BYTES),
    binary: ((bytes[1] as number) & BINARY) !== 0,
    except: idLength === 0 ? undefined : bytes.toString('latin1', FIXED_BYTES, header),
    payload: bytes.subarray(header),
  }
}
