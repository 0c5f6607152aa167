/**
 * A segment tree (a radix tree keyed by whole path segments). It knows nothing of HTTP: a "method" is any
 * string key, and `ALL` is the key that matches every method.
 *
 * Priority at each segment: static child, then `:param`, then a trailing `*` wildcard, whatever the order of
 * registration and whatever the param names. The walk backtracks when a higher-priority branch dead-ends,
 * but each tree node is reached by exactly one prefix, so a lookup visits every node at most once: matching
 * time is bounded by the tree size and linear in the path length, with no regular expressions (no ReDoS).
 */
import { ERR } from '../errors.js'
import { normalizePath, splitPath } from './path.js'
import type { RouteMatch, RouteMatcher } from './types.js'

/** The method key that matches any method. */
export const ANY_METHOD = 'ALL'

const PARAM_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/

interface Entry<T> {
  readonly value: T
  /** Param names in path order; `*` for the wildcard. */
  readonly names: readonly string[]
}

class Node<T> {
  readonly statics = new Map<string, Node<T>>()
  param: Node<T> | undefined
  wildcard: Map<string, Entry<T>> | undefined
  handlers: Map<string, Entry<T>> | undefined
}

/** Thrown for malformed or duplicate patterns (a programming error, hence a TypeError); `code: ERR_INVALID_ROUTE`. */
export class RouteError extends TypeError {
  readonly code = ERR.INVALID_ROUTE
}

/** The segment-tree {@link RouteMatcher}. */
export class SegmentTree<T> implements RouteMatcher<T> {
  readonly #root = new Node<T>()
  /** Fully static patterns by canonical path: one Map lookup serves most requests. */
  readonly #statics = new Map<string, Map<string, Entry<T>>>()

  add(method: string, pattern: string, value: T): void {
    const names: string[] = []
    let node = this.#root
    for (const segment of parsePattern(pattern)) {
      if (segment.kind === 'wildcard') {
        names.push('*')
        node.wildcard ??= new Map()
        return setEntry(node.wildcard, method, { value, names }, pattern)
      }
      if (segment.kind === 'param') {
        names.push(segment.value)
        node = node.param ??= new Node()
        continue
      }
      let child = node.statics.get(segment.value)
      if (!child) node.statics.set(segment.value, (child = new Node()))
      node = child
    }
    node.handlers ??= new Map()
    setEntry(node.handlers, method, { value, names }, pattern)
    if (names.length === 0) this.#statics.set(canonicalPattern(pattern), node.handlers)
  }

  match(method: string, path: string): RouteMatch<T> | null {
    const fast = this.#statics.get(path)
    const hit = fast && (fast.get(method) ?? fast.get(ANY_METHOD))
    if (hit) return { value: hit.value, params: {} }
    const values: string[] = []
    const segments = splitPath(path)
    const entry = walk(this.#root, segments, 0, method, values, path)
    if (!entry) return null
    const params: Record<string, string> = Object.create(null)
    for (let i = 0; i < entry.names.length; i++) params[entry.names[i] as string] = values[i] as string
    return { value: entry.value, params }
  }

  allowed(path: string): Set<string> {
    const methods = new Set<string>()
    collect(this.#root, splitPath(path), 0, methods)
    return methods
  }
}

/** One parsed pattern segment. */
export interface PatternSegment {
  readonly kind: 'static' | 'param' | 'wildcard'
  /** The canonical static text, or the param name (`*` for the wildcard). */
  readonly value: string
}

/**
 * Parses and checks a route pattern: `/users/:id/files/*`.
 * @throws RouteError when it does not start with `/`, a param name is invalid or repeated, or `*` is not
 *   the last segment.
 */
export function parsePattern(pattern: string): PatternSegment[] {
  if (!pattern.startsWith('/'))
    throw new RouteError(`route pattern must start with "/": ${JSON.stringify(pattern)}`)
  const segments = splitPath(pattern)
  const names = new Set<string>()
  return segments.map((segment, i): PatternSegment => {
    if (segment === '*') {
      if (i !== segments.length - 1) throw new RouteError(`"*" must be the last segment: ${pattern}`)
      return { kind: 'wildcard', value: '*' }
    }
    if (!segment.startsWith(':')) return { kind: 'static', value: canonicalSegment(segment) }
    const name = segment.slice(1)
    if (!PARAM_NAME.test(name)) throw new RouteError(`invalid param name "${name}" in ${pattern}`)
    if (names.has(name)) throw new RouteError(`duplicate param "${name}" in ${pattern}`)
    names.add(name)
    return { kind: 'param', value: name }
  })
}

function setEntry<T>(table: Map<string, Entry<T>>, method: string, entry: Entry<T>, pattern: string): void {
  if (table.has(method)) throw new RouteError(`duplicate route: ${method} ${pattern}`)
  table.set(method, entry)
}

function pick<T>(table: Map<string, Entry<T>> | undefined, method: string): Entry<T> | undefined {
  return table && (table.get(method) ?? table.get(ANY_METHOD))
}

function walk<T>(
  node: Node<T>,
  segments: readonly string[],
  i: number,
  method: string,
  values: string[],
  path: string,
): Entry<T> | undefined {
  if (i === segments.length) return pick(node.handlers, method)
  const segment = segments[i] as string
  const child = node.statics.get(segment)
  if (child) {
    const found = walk(child, segments, i + 1, method, values, path)
    if (found) return found
  }
  // A param never matches an empty segment: `/users/` is not `/users/:id` with id "".
  if (node.param && segment !== '') {
    values.push(segment)
    const found = walk(node.param, segments, i + 1, method, values, path)
    if (found) return found
    values.pop()
  }
  const wildcard = pick(node.wildcard, method)
  if (wildcard) values.push(path.slice(offsetOf(segments, i)))
  return wildcard
}

function collect<T>(node: Node<T>, segments: readonly string[], i: number, into: Set<string>): void {
  // Same rule as walk(): a wildcard needs at least one (possibly empty) segment left, so `/static/*`
  // covers `/static/` and below but not `/static`.
  if (node.wildcard && i < segments.length) for (const method of node.wildcard.keys()) into.add(method)
  if (i === segments.length) {
    if (node.handlers) for (const method of node.handlers.keys()) into.add(method)
    return
  }
  const segment = segments[i] as string
  const child = node.statics.get(segment)
  if (child) collect(child, segments, i + 1, into)
  if (node.param && segment !== '') collect(node.param, segments, i + 1, into)
}

/** Character offset in the path where segment `i` starts (the path has a leading `/`). */
function offsetOf(segments: readonly string[], i: number): number {
  let offset = 1
  for (let j = 0; j < i; j++) offset += (segments[j] as string).length + 1
  return offset
}

/** Static pattern segments are stored in the same canonical form requests are matched in. */
function canonicalSegment(segment: string): string {
  const encoded = /[^\x21-\x7e]/.test(segment) ? encodeURIComponent(segment) : segment
  return normalizePath('/' + encoded).slice(1)
}

function canonicalPattern(pattern: string): string {
  return '/' + splitPath(pattern).map(canonicalSegment).join('/')
}
