/**
 * Coercion of string inputs (path params, query, headers, urlencoded and multipart fields) to what each
 * field of an object schema wants, planned once per route when routes freeze, never per request.
 */
import type { z } from 'zod'

/** Reads a key's values from a string source (URLSearchParams, headers, params). */
export interface StringSource {
  /** Every value of `key` (empty when absent); multipart file parts are `File`s. */
  all(key: string): (string | File)[]
  /** Every key present. */
  keys(): Iterable<string>
}

/** Turns one string source into the object the schema parses. */
export type Coercer = (source: StringSource) => Record<string, unknown>

type Convert = (value: string) => unknown

const stringsOnly =
  (convert: Convert) =>
  (value: unknown): unknown =>
    typeof value === 'string' ? convert(value) : value

// Wrappers whose inner type decides the coercion.
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'])

interface Def {
  type: string
  innerType?: z.ZodType
  in?: z.ZodType
  element?: z.ZodType
  shape?: Record<string, z.ZodType>
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def
}

/** The schema under optional/default/nullable/pipe wrappers. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema
  for (let def = defOf(current); ; def = defOf(current)) {
    if (WRAPPERS.has(def.type) && def.innerType) current = def.innerType
    else if (def.type === 'pipe' && def.in) current = def.in
    else return current
  }
}

/** The fields of an object schema (after unwrapping), or undefined for anything else. */
export function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  const def = defOf(unwrap(schema))
  return def.type === 'object' ? def.shape : undefined
}

function scalar(schema: z.ZodType): Convert | undefined {
  switch (defOf(unwrap(schema)).type) {
    case 'number':
    case 'int':
      return (v) => (v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v)
    case 'boolean':
      return (v) => (v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v)
    case 'date':
      return (v) => (Number.isNaN(Date.parse(v)) ? v : new Date(v))
    case 'bigint':
      return (v) => (/^-?\d+$/.test(v) ? BigInt(v) : v)
    default:
      return undefined
  }
}

type Values = (string | File)[]

const splitList = (values: Values): Values =>
  values.flatMap((value): Values =>
    typeof value === 'string' ? value.split(',').map((part) => part.trim()) : [value],
  )

function field(schema: z.ZodType, lists: boolean): (values: Values) => unknown {
  const base = defOf(unwrap(schema))
  if (base.type === 'array' && base.element) {
    const convert = scalar(base.element)
    const items = lists ? splitList : (values: Values) => values
    // A single value becomes a one-item array when the field is an array.
    if (!convert) return items
    const each = stringsOnly(convert)
    return (values) => items(values).map(each)
  }
  const convert = scalar(schema)
  if (!convert) return (values) => values[0]
  const one = stringsOnly(convert)
  return (values) => one(values[0])
}

/**
 * Plans the coercion for `schema`: known fields get their converter; other keys pass through as their first
 * value (the schema decides whether they are allowed). A schema that is not an object gets plain strings.
 * @param lists - Split array fields' values on commas, as for header lists (RFC 9110 §5.6.1). @default false
 */
export function planCoercion(schema: z.ZodType, lists = false): Coercer {
  const shape = objectShape(schema) ?? {}
  const fields = new Map(Object.entries(shape).map(([key, s]) => [key, field(s, lists)] as const))
  return (source) => {
    const out: Record<string, unknown> = {}
    for (const key of source.keys()) {
      const values = source.all(key)
      if (values.length === 0) continue
      const convert = fields.get(key)
      out[key] = convert ? convert(values) : values[0]
    }
    return out
  }
}

/** A source over URLSearchParams (query strings and urlencoded bodies). */
export function searchSource(params: URLSearchParams): StringSource {
  return { all: (key) => params.getAll(key), keys: () => new Set(params.keys()) }
}

/** A source over a record of strings (params, headers). */
export function recordSource(record: Record<string, string | undefined>): StringSource {
  return {
    all: (key) => {
      const value = record[key]
      return value === undefined ? [] : [value]
    },
    keys: () => Object.keys(record),
  }
}
