/** zod → JSON Schema 2020-12 (the dialect of OpenAPI 3.1), through `z.toJSONSchema`. */
import { z } from 'zod'

/** A JSON Schema object. */
export type JsonSchema = Record<string, unknown>

/**
 * Converts a zod schema. Dates become `{ type: 'string', format: 'date-time' }` (as they travel in JSON and
 * query strings); other types JSON cannot carry become `{}` rather than throwing.
 * @param io - `input` for requests (defaults make fields optional), `output` for responses.
 */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    override: (ctx) => {
      const def = (ctx.zodSchema as unknown as { _zod: { def: { type: string } } })._zod.def
      if (def.type === 'date') Object.assign(ctx.jsonSchema, { type: 'string', format: 'date-time' })
    },
  }) as JsonSchema
  delete json.$schema
  return json
}

/** The properties and required names of an object schema's JSON Schema (empty for anything else). */
export function objectParts(schema: z.ZodType): {
  properties: Record<string, JsonSchema>
  required: string[]
} {
  const json = toJsonSchema(schema, 'input')
  return {
    properties: (json.properties ?? {}) as Record<string, JsonSchema>,
    required: (json.required ?? []) as string[],
  }
}
