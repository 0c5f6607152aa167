/** `parseForm()`: an application/x-www-form-urlencoded body with limits, into a prototype-safe record. */
import type { Context } from '../context.js'
import { ERR, HttpError } from '../errors.js'
import { mediaType } from '../request.js'
import { addField, formLimitError, formLimits, type FormFields, type FormLimits } from './limits.js'

/** Options for {@link parseForm}. */
export interface FormOptions {
  /** `fields`, `fieldSize` and `fieldNameSize` apply (see `FormLimits` for the defaults). */
  limits?: Partial<Pick<FormLimits, 'fields' | 'fieldSize' | 'fieldNameSize'>>
}

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)/i

/** Counts non-empty `&`-separated pairs, stopping once past `max` (a body of `a&a&a...` costs no array). */
function countPairs(text: string, max: number): number {
  let count = 0
  for (let start = 0; start <= text.length && count <= max;) {
    const end = text.indexOf('&', start)
    const stop = end === -1 ? text.length : end
    if (stop > start) count++
    start = stop + 1
  }
  return count
}

/**
 * Reads an application/x-www-form-urlencoded body (WHATWG URL parsing: UTF-8, `+` is a space) into a
 * null-prototype record: `__proto__` or `constructor` are plain names, never the prototype chain; a
 * repeated name (`tag=a&tag=b`) gives an array in order. The body is bounded by the request's body limit.
 * @throws HttpError 415 `ERR_UNSUPPORTED_MEDIA_TYPE` for another media type or a charset other than UTF-8;
 *   413 `ERR_FORM_LIMIT` naming the limit (`fields`, `fieldSize`, `fieldNameSize`); 413
 *   `ERR_BODY_TOO_LARGE` past the body limit.
 * @see https://url.spec.whatwg.org/#urlencoded-parsing
 */
export async function parseForm(
  ctx: Context<object, object, object>,
  options: FormOptions = {},
): Promise<FormFields> {
  const limits = formLimits(options.limits)
  const charset = CHARSET.exec(ctx.req.headers['content-type'] ?? '')?.[1]?.toLowerCase()
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8' && charset !== 'us-ascii') {
    throw new HttpError(415, `unsupported charset "${charset}"; send UTF-8`, {
      code: ERR.UNSUPPORTED_MEDIA_TYPE,
    })
  }
  if (mediaType(ctx.req.headers['content-type']) !== 'application/x-www-form-urlencoded') {
    throw new HttpError(415, 'expected application/x-www-form-urlencoded', {
      code: ERR.UNSUPPORTED_MEDIA_TYPE,
    })
  }
  const text = await ctx.req.text()
  // Counted before parsing, so that too many fields cost no parse.
  if (countPairs(text, limits.fields) > limits.fields) {
    throw formLimitError('fields', limits.fields, 'too many fields')
  }
  const fields: FormFields = Object.create(null) as FormFields
  for (const [name, value] of new URLSearchParams(text)) {
    if (Buffer.byteLength(name) > limits.fieldNameSize) {
      throw formLimitError('fieldNameSize', limits.fieldNameSize, 'field name too long')
    }
    if (Buffer.byteLength(value) > limits.fieldSize) {
      throw formLimitError('fieldSize', limits.fieldSize, `field "${name}" too large`)
    }
    addField(fields, name, value)
  }
  return fields
}
