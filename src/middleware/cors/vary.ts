/** Adding names to the `Vary` response header without duplicates (RFC 9110 §12.5.5). */
import type { Context as AnyContext, Params } from '../../context.js'

/**
 * Adds `names` to the response's `Vary` header, keeping what is there and skipping names already listed
 * (case-insensitively). A `Vary: *` stays as it is.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-12.5.5
 */
export function appendVary(ctx: AnyContext<Params, object>, ...names: string[]): void {
  const current = ctx.res.headers.get('vary')
  const text = current === undefined ? '' : Array.isArray(current) ? current.join(', ') : current
  const listed = text.split(',').map((n) => n.trim().toLowerCase())
  if (listed.includes('*')) return
  const added = names.filter((name) => !listed.includes(name.toLowerCase()))
  if (added.length === 0) return
  ctx.header('vary', text.trim() === '' ? added.join(', ') : `${text}, ${added.join(', ')}`)
}
