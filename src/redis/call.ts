/** What the Redis-backed stores share: one bounded command call. */
import type { Cluster, Redis } from 'ioredis'

/**
 * Runs `command` on `client` unless its connection is down, and rejects after `timeoutMs`: a store must
 * answer (or fail) within a request's time, not queue behind ioredis's reconnect.
 * @throws Error `redis connection is <status>` while reconnecting or closed; `redis did not answer within
 *   <timeoutMs> ms`; or what the command itself rejected with.
 */
export function redisCall<T>(
  client: Redis | Cluster,
  timeoutMs: number,
  command: () => Promise<T>,
): Promise<T> {
  const status = client.status
  if (status === 'reconnecting' || status === 'close' || status === 'end') {
    return Promise.reject(new Error(`redis connection is ${status}`))
  }
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis did not answer within ${timeoutMs} ms`)), timeoutMs)
  })
  return Promise.race([command(), timeout]).finally(() => clearTimeout(timer))
}
