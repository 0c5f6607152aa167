/** Request ids: the default generator and the check for ids taken from clients. */
import { randomBytes } from 'node:crypto'
import type { SwiftletRequest } from './request.js'

/** @internal Decides a request's id when `ctx.id` is first read (the App). */
export interface RequestIds {
  requestId(req: SwiftletRequest): string
}

/**
 * Request ids that are unique per process and cheap: a random per-process prefix and a counter
 * (`k3x9q2-1`, `k3x9q2-2`...). A UUID per request cost more than the rest of the request id handling.
 */
export function sequentialId(): () => string {
  const prefix = randomBytes(4).toString('hex')
  let counter = 0
  return () => `${prefix}-${(++counter).toString(36)}`
}

const VALID_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** The check for incoming ids: 1-128 characters of `A-Za-z0-9._:-` (nothing a log line could misread). */
export function isValidRequestId(id: string): boolean {
  return VALID_ID.test(id)
}
