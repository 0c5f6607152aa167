/**
 * The types of route schemas: what a route declares in `options.schema`, and what its handler then reads
 * from `ctx.valid`, typed from the schemas.
 */
import type { z } from 'zod'

/** Body schemas by media type (`application/json`, `application/x-www-form-urlencoded`, `multipart/form-data`). */
export type BodySchemas = Readonly<Record<string, z.ZodType>>

/**
 * A route's schemas (zod 4). `params`, `query` and `headers` are objects whose string values are coerced
 * where a field wants a number, boolean, date or array; `body` is one schema (for JSON) or one per media
 * type; `response` is one schema per status code.
 */
export interface RouteSchema {
  /** Path params (`/users/:id` → `z.object({ id: z.coerce.number() })` or `z.object({ id: z.number() })`). */
  readonly params?: z.ZodType
  /** The query string; a repeated key, or a single one when the field is an array, becomes an array. */
  readonly query?: z.ZodType
  /** Request headers, by lower-case name. */
  readonly headers?: z.ZodType
  /** The body: one schema for `application/json`, or one per media type. */
  readonly body?: z.ZodType | BodySchemas
  /** Responses by status code (`{ 200: Item, 404: Problem }`); `default` for any other. */
  readonly response?: Readonly<Partial<Record<number | 'default', z.ZodType>>>
}

type BodyOutput<B> = B extends z.ZodType ? z.output<B> : B extends BodySchemas ? z.output<B[keyof B]> : never

/** The validated values a handler reads from `ctx.valid`: one key per schema the route declared. */
export type Valid<Sch> = {
  [K in keyof Sch & ('params' | 'query' | 'headers' | 'body')]: K extends 'body'
    ? BodyOutput<Sch[K]>
    : Sch[K] extends z.ZodType
      ? z.output<Sch[K]>
      : never
}

/** No validated values: the `ctx.valid` of a route without schemas. */
export type NoValid = Record<never, never>
