/**
 * The validation step of a route, built once when routes freeze: it sits right before the handler (after
 * app, router and route middleware), parses params, query, headers and body against the route's schemas,
 * and puts the results on `ctx.valid`. Response schemas wrap the handler's returned value.
 */
import type { z } from 'zod'
import type { Middleware } from '../compose.js'
import { Context } from '../context.js'
import { ERR, HttpError } from '../errors.js'
import { planBody, readBody } from './body.js'
import { planCoercion, recordSource, searchSource, type Coercer } from './coerce.js'
import { defaultValidationError, toIssues, type ValidationErrorHook, type ValidationIssue } from './issues.js'
import type { RouteSchema } from './schema.js'

/** How response schemas are applied. */
export type ResponseValidation = 'check' | 'strip' | false

/** App-wide validation options (`createApp({ validation })`). */
export interface ValidationOptions {
  /** Shapes the error for invalid input. @default a 422 `ERR_VALIDATION` HttpError with `details` */
  onError?: ValidationErrorHook
  /**
   * Response schemas: `'check'` parses the returned value and answers a 500 that shows the issues when it
   * fails; `'strip'` parses too (unknown fields are dropped) but a failure is a plain 500 with the issues
   * only in the log; `false` sends the value as returned (extra fields included).
   * @default 'check' unless NODE_ENV is 'production', then 'strip'
   */
  responses?: ResponseValidation
}

type Part = 'params' | 'query' | 'headers'
type Input = (ctx: Context) => Record<string, unknown>

function planPart(part: Part, schema: z.ZodType): Input {
  const coerce: Coercer = planCoercion(schema, part === 'headers')
  if (part === 'query') return (ctx) => coerce(searchSource(ctx.query))
  if (part === 'headers') return (ctx) => coerce(recordSource(ctx.headers))
  return (ctx) => coerce(recordSource(ctx.params as Record<string, string>))
}

/**
 * Builds the validation middleware for a route's schemas, or undefined when there is nothing to validate
 * (so routes without schemas pay nothing).
 * @throws (through the returned middleware) what `onError` returns (422 by default), 415 for a body media
 *   type without a schema, 400 for malformed JSON or multipart.
 */
export function validationStep(
  schema: RouteSchema,
  onError: ValidationErrorHook = defaultValidationError,
): Middleware<Context> | undefined {
  const parts = (['params', 'query', 'headers'] as const).flatMap((part) => {
    const s = schema[part]
    return s ? [{ part, schema: s, input: planPart(part, s) }] : []
  })
  const body = schema.body ? planBody(schema.body) : undefined
  if (parts.length === 0 && !body) return undefined
  return async function validate(ctx, next) {
    const valid: Record<string, unknown> = {}
    const issues: ValidationIssue[] = []
    const check = async (part: string, s: z.ZodType, value: unknown): Promise<void> => {
      const result = await s.safeParseAsync(value)
      if (result.success) valid[part] = result.data
      else issues.push(...toIssues(part, result.error))
    }
    for (const { part, schema: s, input } of parts) await check(part, s, input(ctx))
    if (body) {
      const read = await readBody(body, ctx)
      await check('body', read.schema, read.value)
    }
    if (issues.length > 0) throw onError(issues, ctx)
    ;(ctx as Context<object, object, Record<string, unknown>>).valid = valid
    return next()
  }
}

/**
 * Wraps a handler so the value it returns is parsed by the response schema of the status it answers
 * with (`default` otherwise); values sent with `ctx.json()` and friends are not seen.
 */
export function checkResponses(
  handler: Middleware<Context>,
  responses: RouteSchema['response'],
  mode: ResponseValidation,
): Middleware<Context> {
  if (!responses || mode === false) return handler
  return async function checkedResponse(ctx, next) {
    const value = await handler(ctx, next)
    if (value === undefined || value instanceof Context || value instanceof Error) return value
    const schema = responses[ctx.res.status] ?? responses.default
    if (!schema) return value
    const result = await schema.safeParseAsync(value)
    if (result.success) return result.data
    const issues = toIssues('response', result.error)
    const list = issues.map((issue) => `${issue.location}: ${issue.message}`).join('; ')
    throw new HttpError(500, `response ${ctx.res.status} does not match its schema: ${list}`, {
      code: ERR.INTERNAL,
      expose: mode === 'check',
      details: issues,
    })
  }
}

/** The response mode in force when none is configured. */
export function defaultResponseMode(): ResponseValidation {
  return process.env.NODE_ENV === 'production' ? 'strip' : 'check'
}
