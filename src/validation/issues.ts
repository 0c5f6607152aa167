/** Validation issues: where each problem is (`body.items[2].name`) and what it is, and the 422 they make. */
import type { z } from 'zod'
import type { Context } from '../context.js'
import { ERR, HttpError } from '../errors.js'

/** One problem with the request, as sent to the client in `details`. */
export interface ValidationIssue {
  /** `params`, `query`, `headers` or `body`, then the path inside it, JavaScript-style: `body.items[2].name`. */
  location: string
  message: string
}

/** Shapes the error for a request that failed validation; whatever it returns (or throws) is thrown. */
export type ValidationErrorHook = (issues: ValidationIssue[], ctx: Context) => Error

/** Maps zod issues under `part` (`query`, `body`...) to {@link ValidationIssue}s. */
export function toIssues(part: string, error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    location: locate(part, issue.path),
    message: issue.message,
  }))
}

/** `('body', ['items', 2, 'name'])` → `body.items[2].name`: array indexes in brackets, keys after dots. */
function locate(part: string, path: readonly PropertyKey[]): string {
  let location = part
  for (const key of path) location += typeof key === 'number' ? `[${key}]` : `.${String(key)}`
  return location
}

/**
 * The default error: 422 `ERR_VALIDATION` with every issue in `details`.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.5.21
 */
export const defaultValidationError: ValidationErrorHook = (issues) =>
  new HttpError(422, 'request validation failed', { code: ERR.VALIDATION, details: issues })
