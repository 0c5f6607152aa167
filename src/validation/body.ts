/**
 * Reads a request body for validation: the media type (RFC 9110 §8.3.1, via `mediaType()`) selects both
 * the parser and the schema. JSON through `ctx.req.json()`, urlencoded forms through `ctx.req.form()`,
 * multipart forms through busboy.
 */
import type busboy from 'busboy'
import { Readable } from 'node:stream'
import type { z } from 'zod'
import type { Context } from '../context.js'
import { ERR, HttpError } from '../errors.js'
import { lazyRequire } from '../lazy.js'
import { mediaType } from '../request.js'
import { planCoercion, searchSource, type Coercer, type StringSource } from './coerce.js'

/** Loaded by the first multipart body validated, not when Swiftlet is imported (startup RSS). */
const loadBusboy = lazyRequire<typeof busboy>('busboy')

/** Reads and parses one media type's body into the value its schema parses. */
type BodyReader = (ctx: Context) => Promise<unknown>

/** A body schema per media type, with the reader for it. */
export interface BodyPlan {
  /** Media type (lower case, no parameters) → schema and reader. */
  readonly byType: ReadonlyMap<string, { schema: z.ZodType; read: BodyReader }>
  /** The accepted media types, for the 415 message. */
  readonly accepted: string
}

const JSON_TYPE = 'application/json'
const FORM_TYPE = 'application/x-www-form-urlencoded'
const MULTIPART_TYPE = 'multipart/form-data'

function readerFor(type: string, schema: z.ZodType): BodyReader {
  if (type === FORM_TYPE) {
    const coerce = planCoercion(schema)
    return async (ctx) => coerce(searchSource(await ctx.req.form()))
  }
  if (type === MULTIPART_TYPE) {
    const coerce = planCoercion(schema)
    return (ctx) => readMultipart(ctx, coerce)
  }
  // application/json, and any other type declared for the route (`application/merge-patch+json`...).
  return (ctx) => ctx.req.json()
}

/**
 * Plans body reading for a route.
 * @param body - One schema (read as `application/json`) or one per media type.
 */
export function planBody(body: z.ZodType | Readonly<Record<string, z.ZodType>>): BodyPlan {
  const entries: [string, z.ZodType][] = isZod(body)
    ? [[JSON_TYPE, body]]
    : Object.entries(body).map(([type, schema]) => [mediaType(type), schema])
  const byType = new Map(entries.map(([type, schema]) => [type, { schema, read: readerFor(type, schema) }]))
  return { byType, accepted: [...byType.keys()].join(', ') }
}

/** True for a zod schema (as opposed to a record of them). */
export function isZod(value: unknown): value is z.ZodType {
  return typeof value === 'object' && value !== null && '_zod' in value
}

/**
 * Reads the body whose media type the request declares.
 * @throws HttpError 415 `ERR_UNSUPPORTED_MEDIA_TYPE` when the route has no schema for it; 400 from the parsers.
 */
export function readBody(plan: BodyPlan, ctx: Context): Promise<{ schema: z.ZodType; value: unknown }> {
  const type = mediaType(ctx.headers['content-type'])
  const entry = plan.byType.get(type)
  if (!entry) {
    const error = new HttpError(415, `unsupported media type "${type}"; expected ${plan.accepted}`, {
      code: ERR.UNSUPPORTED_MEDIA_TYPE,
      headers: { 'accept-post': plan.accepted },
    })
    return Promise.reject(error)
  }
  return entry.read(ctx).then((value) => ({ schema: entry.schema, value }))
}

/** Bounds on a multipart body's contents: 1,000 parts, 1,000 fields, 20 files, 100 KiB per field value. */
export const MULTIPART_LIMITS = { parts: 1000, fields: 1000, files: 20, fieldSize: 100 * 1024 } as const

async function readMultipart(ctx: Context, coerce: Coercer): Promise<Record<string, unknown>> {
  const createBusboy = loadBusboy() // before the body is read, and a load failure is a 500, not a 400
  const bytes = await ctx.req.bytes()
  const parts = new Map<string, (string | File)[]>()
  const add = (name: string, value: string | File): void => {
    const list = parts.get(name)
    if (list) list.push(value)
    else parts.set(name, [value])
  }
  await new Promise<void>((resolve, reject) => {
    let parser: busboy.Busboy
    try {
      // The whole body is already bounded by the body limit; these bound what it may hold, so a 1 MiB
      // body of a million empty fields cannot cost a million allocations.
      parser = createBusboy({
        headers: { 'content-type': ctx.headers['content-type'] ?? '' },
        limits: MULTIPART_LIMITS,
      })
    } catch (cause) {
      reject(new HttpError(400, 'malformed multipart/form-data', { cause }))
      return
    }
    parser.on('field', (name, value) => add(name, value))
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => add(name, new File(chunks, info.filename ?? name, { type: info.mimeType })))
    })
    const tooMany = (what: string) => () =>
      reject(new HttpError(413, `multipart/form-data has too many ${what}`, { code: ERR.BODY_TOO_LARGE }))
    parser.on('partsLimit', tooMany('parts'))
    parser.on('filesLimit', tooMany('files'))
    parser.on('fieldsLimit', tooMany('fields'))
    parser.on('error', (cause) => reject(new HttpError(400, 'malformed multipart/form-data', { cause })))
    parser.on('close', resolve)
    Readable.from([bytes]).pipe(parser)
  })
  const source: StringSource = { all: (key) => parts.get(key) ?? [], keys: () => parts.keys() }
  return coerce(source)
}
