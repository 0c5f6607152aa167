/**
 * The chat's wire protocol: what the upgrade request and the client's messages must look like (zod), and
 * the JSON messages the server sends. Everything from the client is checked here before it is used.
 */
import { z } from 'zod'

/** Nicknames: 1-24 letters, digits, spaces or `. _ -`, trimmed; no control characters, no markup. */
export const Nick = z
  .string()
  .trim()
  .min(1, { message: 'required', abort: true })
  .max(24, 'at most 24 characters')
  .regex(/^[\p{L}\p{N} ._-]+$/u, 'letters, digits, spaces and . _ - only')

/** Room names: 1-32 of `a-z 0-9 -` (lower-cased), starting and ending with a letter or digit. */
export const RoomName = z
  .string()
  .toLowerCase()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/, '1-32 of a-z, 0-9 and -, not starting or ending with -')

/** What the upgrade step checks: the room from the path, the nick from `?nick=`. */
export const JoinRequest = z.object({ room: RoomName, nick: Nick })

/** Builds the schema of a client message, with the longest text allowed (characters). */
export function incomingSchema(maxTextLength: number) {
  return z.object({
    type: z.literal('say'),
    text: z
      .string()
      .trim()
      .min(1, { message: 'empty', abort: true })
      .max(maxTextLength, `at most ${maxTextLength} characters`)
      // No control characters (newlines included): one line per message keeps the page simple.
      .regex(/^[^\p{Cc}]*$/u, 'no control characters'),
  })
}

/** A chat message as stored in history and sent to the room. */
export interface ChatMessage {
  type: 'message'
  /** Sequence number, per app. */
  id: number
  nick: string
  text: string
  /** ISO 8601 time the server received it. */
  at: string
}

/** Every message the server sends. */
export type ServerMessage =
  | { type: 'welcome'; room: string; nick: string; members: number; history: ChatMessage[] }
  | ChatMessage
  | { type: 'join' | 'leave'; nick: string; members: number }
  | { type: 'error'; message: string }

/** `path: message; path: message` for a zod error, for the client. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ')
}
