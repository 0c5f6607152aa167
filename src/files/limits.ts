/** Limits on what a form may hold, and the errors they answer with. */
import { ERR, HttpError } from '../errors.js'

/** Bounds on a form's contents. Sizes in bytes. The whole body is also bounded by the app's `limits.body`. */
export interface FormLimits {
  /** Bytes per file; more → 413. @default 10485760 (10 MiB) */
  fileSize: number
  /** Files per request; more → 413. @default 10 */
  files: number
  /** Non-file fields per request; more → 413. @default 100 */
  fields: number
  /** Bytes per field value; more → 413. @default 102400 (100 KiB) */
  fieldSize: number
  /** Bytes per field name; more → 413. @default 200 */
  fieldNameSize: number
  /** Parts (fields + files) per multipart request; more → 413. @default 1000 */
  parts: number
}

/** The default {@link FormLimits}. */
export const DEFAULT_FORM_LIMITS: Readonly<FormLimits> = Object.freeze({
  fileSize: 10 * 1024 * 1024,
  files: 10,
  fields: 100,
  fieldSize: 100 * 1024,
  fieldNameSize: 200,
  parts: 1000,
})

/**
 * The limits in force: the defaults overridden by `limits`.
 * @throws RangeError for a negative or non-integer limit (a programming error, at the call site).
 */
export function formLimits(limits: Partial<FormLimits> = {}): FormLimits {
  const merged = { ...DEFAULT_FORM_LIMITS, ...limits }
  for (const [name, value] of Object.entries(merged)) {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new RangeError(`invalid form limit ${name}: ${value}`)
  }
  return merged
}

/**
 * The 413 for a form limit: the message names the limit and its value, `details` carries both.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.5.14
 */
export function formLimitError(limit: keyof FormLimits, max: number, what: string): HttpError {
  return new HttpError(413, `${what}: limit ${limit} is ${max}`, {
    code: ERR.FORM_LIMIT,
    details: { limit, max },
  })
}

/** A null-prototype record of form fields: a repeated name collects its values in an array, in order. */
export type FormFields = Record<string, string | string[]>

/** Adds one field to `fields` (a null-prototype object: `__proto__` is just a name here). */
export function addField(fields: FormFields, name: string, value: string): void {
  const previous = fields[name]
  if (previous === undefined) fields[name] = value
  else if (Array.isArray(previous)) previous.push(value)
  else fields[name] = [previous, value]
}
