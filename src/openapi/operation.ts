/** One route → one OpenAPI 3.1 Operation Object: parameters, request body, responses, metadata. */
import { STATUS_CODES } from 'node:http'
import type { z } from 'zod'
import type { RouteRecord } from '../router/router.js'
import { isZod } from '../validation/body.js'
import type { RouteSchema } from '../validation/schema.js'
import { objectParts, toJsonSchema, type JsonSchema } from './json-schema.js'

/** An OpenAPI Operation Object (the parts Swiftlet writes). */
export type Operation = Record<string, unknown>

// Described by the request body / security schemes instead (OpenAPI 3.1 §4.8.12.1).
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization'])

const ERROR_REF = { $ref: '#/components/schemas/Error' }

/** `/items/:id/*` → `/items/{id}/{wildcard}`, with the path param names in order. */
export function openApiPath(pattern: string): { path: string; names: string[] } {
  const names: string[] = []
  const path = pattern
    .split('/')
    .map((segment) => {
      if (segment === '*') return (names.push('wildcard'), '{wildcard}')
      if (!segment.startsWith(':')) return segment
      names.push(segment.slice(1))
      return `{${segment.slice(1)}}`
    })
    .join('/')
  return { path, names }
}

function parameters(schema: RouteSchema, pathNames: string[]): Record<string, unknown>[] {
  const params = schema.params ? objectParts(schema.params).properties : {}
  const out: Record<string, unknown>[] = pathNames.map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: params[name] ?? { type: 'string' },
  }))
  for (const where of ['query', 'header'] as const) {
    const s = where === 'query' ? schema.query : schema.headers
    if (!s) continue
    const { properties, required } = objectParts(s)
    for (const [name, json] of Object.entries(properties)) {
      if (where === 'header' && IGNORED_HEADERS.has(name.toLowerCase())) continue
      out.push({ name, in: where, required: required.includes(name), schema: json })
    }
  }
  return out
}

function requestBody(body: NonNullable<RouteSchema['body']>): Record<string, unknown> {
  const entries: [string, z.ZodType][] = isZod(body) ? [['application/json', body]] : Object.entries(body)
  const content = Object.fromEntries(
    entries.map(([type, s]) => [type, { schema: toJsonSchema(s, 'input') }] as const),
  )
  return { required: true, content }
}

function responses(schema: RouteSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [status, s] of Object.entries(schema.response ?? {})) {
    if (!s) continue
    const json: JsonSchema = toJsonSchema(s, 'output')
    const description =
      typeof json.description === 'string' ? json.description : (STATUS_CODES[Number(status)] ?? 'Response')
    out[status] = { description, content: { 'application/json': { schema: json } } }
  }
  if (Object.keys(out).length === 0) out['200'] = { description: 'OK' }
  const problem = (description: string) => ({
    description,
    content: { 'application/json': { schema: ERROR_REF } },
  })
  if (schema.params || schema.query || schema.headers || schema.body)
    out['422'] ??= problem('Validation failed')
  if (schema.body) out['415'] ??= problem('Unsupported media type')
  return out
}

function operationId(route: RouteRecord, path: string): string {
  if (route.options.operationId) return route.options.operationId
  if (route.name) return route.name
  const words = path.split(/[^A-Za-z0-9]+/).filter(Boolean)
  const by = (word: string) => word.charAt(0).toUpperCase() + word.slice(1)
  return route.method.toLowerCase() + words.map(by).join('')
}

/** Builds the Operation Object for `route` at its full `pattern`. */
export function buildOperation(route: RouteRecord, pattern: string): Operation {
  const { options } = route
  const schema = options.schema ?? {}
  const { path, names } = openApiPath(pattern)
  const op: Operation = { operationId: operationId(route, path) }
  if (options.summary) op.summary = options.summary
  if (options.description) op.description = options.description
  if (options.tags) op.tags = options.tags
  if (options.deprecated) op.deprecated = true
  if (options.security) op.security = options.security
  const params = parameters(schema, names)
  if (params.length > 0) op.parameters = params
  if (schema.body) op.requestBody = requestBody(schema.body)
  op.responses = responses(schema)
  return op
}
