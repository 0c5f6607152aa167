/** Default request id generator. */
import { randomBytes } from 'node:crypto'

/**
 * Request ids that are unique per process and cheap: a random per-process prefix and a counter
 * (`k3x9q2-1`, `k3x9q2-2`...). A UUID per request cost more than the rest of the request id handling.
 */
export function sequentialId(): () => string {
  const prefix = randomBytes(4).toString('hex')
  let counter = 0
  return () => `${prefix}-${(++counter).toString(36)}`
}
