/**
 * A strict little HTTP/1.1 response parser for raw-socket tests: it frames responses exactly as a client
 * must (RFC 9112 §6.3), so a stray body byte or a missing length shows up as a parse failure.
 */

/** One parsed response. */
export interface ParsedResponse {
  status: number
  reason: string
  /** Header lines in wire order, names lower-cased. */
  headers: Array<[string, string]>
  /** The status line and header lines as sent. */
  head: string
  body: Buffer
  /** How the body was delimited. */
  framing: 'none' | 'content-length' | 'chunked' | 'close'
  /** First value of a header (case-insensitive name). */
  get(name: string): string | undefined
  /** Every value of a header, in wire order. */
  getAll(name: string): string[]
}

/** Options for {@link parseResponses}. */
export interface ParseOptions {
  /** Indexes (among final, non-1xx responses) of responses to HEAD requests: they carry no body. */
  headResponses?: readonly number[]
  /** True when the connection has closed, so a response without framing ends at the last byte. */
  closed?: boolean
}

/** The responses found in `data`, and the bytes left over after the last complete one. */
export interface ParseResult {
  responses: ParsedResponse[]
  /** Bytes after the last complete response (an incomplete response, or garbage). */
  rest: Buffer
}

const HEADER_END = Buffer.from('\r\n\r\n')

/**
 * Parses consecutive responses (interim 1xx responses included) from `data`.
 * @throws Error when the bytes are not a valid response (bad status line, bad chunk size...).
 */
export function parseResponses(data: Buffer, options: ParseOptions = {}): ParseResult {
  const responses: ParsedResponse[] = []
  let offset = 0
  let finals = 0
  while (offset < data.length) {
    const end = data.indexOf(HEADER_END, offset)
    if (end === -1) break
    const head = data.subarray(offset, end).toString('latin1')
    const [statusLine = '', ...lines] = head.split('\r\n')
    const match = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine)
    if (!match) throw new Error(`not a status line: ${JSON.stringify(statusLine.slice(0, 80))}`)
    const status = Number(match[1])
    const headers = lines.map((line): [string, string] => {
      const colon = line.indexOf(':')
      if (colon <= 0) throw new Error(`bad header line: ${JSON.stringify(line.slice(0, 80))}`)
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]
    })
    const bodyStart = end + 4
    const isInterim = status >= 100 && status < 200
    const isHead = !isInterim && (options.headResponses ?? []).includes(finals)
    const framed = frameBody(data, bodyStart, headers, status, isInterim || isHead, options.closed === true)
    if (!framed) break
    responses.push(makeResponse(status, match[2] ?? '', headers, head, framed.body, framed.framing))
    offset = framed.next
    if (!isInterim) finals++
  }
  return { responses, rest: data.subarray(offset) }
}

/** The final (non-1xx) responses in `data`. */
export function finalResponses(data: Buffer, options: ParseOptions = {}): ParsedResponse[] {
  return parseResponses(data, options).responses.filter((r) => r.status >= 200)
}

/** A predicate for `rawRequest({ until })`: true once `count` final responses have fully arrived. */
export function hasResponses(count: number, options: ParseOptions = {}): (data: Buffer) => boolean {
  return (data) => {
    try {
      return finalResponses(data, options).length >= count
    } catch {
      return true // garbage: stop waiting, the test's own parse reports it
    }
  }
}

/** Parses exactly one final response and asserts nothing but interim responses precede it. */
export function onlyResponse(data: Buffer, options: ParseOptions = {}): ParsedResponse {
  const { responses, rest } = parseResponses(data, options)
  const finals = responses.filter((r) => r.status >= 200)
  if (finals.length !== 1 || rest.length > 0) {
    throw new Error(
      `expected exactly one response, got ${finals.length} and ${rest.length} stray bytes: ` +
        JSON.stringify(data.toString('latin1').slice(0, 300)),
    )
  }
  return finals[0] as ParsedResponse
}

function frameBody(
  data: Buffer,
  start: number,
  headers: Array<[string, string]>,
  status: number,
  noBody: boolean,
  closed: boolean,
): { body: Buffer; next: number; framing: ParsedResponse['framing'] } | undefined {
  if (noBody || status === 204 || status === 304)
    return { body: Buffer.alloc(0), next: start, framing: 'none' }
  const te = headers.find(([name]) => name === 'transfer-encoding')?.[1]
  if (te !== undefined && /chunked\s*$/i.test(te)) return decodeChunked(data, start)
  const lengths = headers.filter(([name]) => name === 'content-length').map(([, value]) => value)
  if (lengths.length > 1) throw new Error(`several Content-Length headers: ${lengths.join(' | ')}`)
  if (lengths.length === 1) {
    const length = Number(lengths[0])
    if (!Number.isSafeInteger(length) || length < 0) throw new Error(`bad Content-Length ${lengths[0]}`)
    if (data.length < start + length) return undefined
    return { body: data.subarray(start, start + length), next: start + length, framing: 'content-length' }
  }
  if (!closed) return undefined
  return { body: data.subarray(start), next: data.length, framing: 'close' }
}

function decodeChunked(
  data: Buffer,
  start: number,
): { body: Buffer; next: number; framing: 'chunked' } | undefined {
  const parts: Buffer[] = []
  let offset = start
  for (;;) {
    const lineEnd = data.indexOf('\r\n', offset)
    if (lineEnd === -1) return undefined
    const sizeText = data.subarray(offset, lineEnd).toString('latin1').split(';')[0]?.trim() ?? ''
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new Error(`bad chunk size ${JSON.stringify(sizeText)}`)
    const size = Number.parseInt(sizeText, 16)
    offset = lineEnd + 2
    if (size === 0) {
      const trailerEnd = data.indexOf('\r\n', offset)
      if (trailerEnd === -1) return undefined
      // No trailers expected from Swiftlet: the last chunk is followed by an empty line.
      return { body: Buffer.concat(parts), next: trailerEnd + 2, framing: 'chunked' }
    }
    if (data.length < offset + size + 2) return undefined
    parts.push(data.subarray(offset, offset + size))
    offset += size + 2
  }
}

function makeResponse(
  status: number,
  reason: string,
  headers: Array<[string, string]>,
  head: string,
  body: Buffer,
  framing: ParsedResponse['framing'],
): ParsedResponse {
  return {
    status,
    reason,
    headers,
    head,
    body,
    framing,
    get: (name) => headers.find(([n]) => n === name.toLowerCase())?.[1],
    getAll: (name) => headers.filter(([n]) => n === name.toLowerCase()).map(([, v]) => v),
  }
}
