/**
 * The OpenAPI 3.1 document of an app, generated from its routes and their zod schemas.
 * @see https://spec.openapis.org/oas/v3.1.0
 */
import { joinPaths } from '../router/path.js'
import type { Router } from '../router/router.js'
import { buildOperation, openApiPath, type Operation } from './operation.js'

/** A security scheme (OpenAPI 3.1 §4.8.27): bearer tokens, API keys and the rest. */
export type SecurityScheme =
  | { type: 'http'; scheme: 'bearer' | 'basic'; bearerFormat?: string; description?: string }
  | { type: 'apiKey'; name: string; in: 'header' | 'query' | 'cookie'; description?: string }
  | { type: 'oauth2' | 'openIdConnect'; [key: string]: unknown }

/** Options for the generated document and where it is served (`createApp({ openapi })`). */
export interface OpenApiOptions {
  /** The Info Object. @default { title: 'API', version: '0.0.0' } */
  info?: { title: string; version: string; description?: string; [key: string]: unknown }
  /** Server Objects, e.g. `[{ url: 'https://api.example.com' }]`. @default none (the page's origin) */
  servers?: { url: string; description?: string }[]
  /** Security schemes by name, e.g. `{ bearer: { type: 'http', scheme: 'bearer' } }`. */
  securitySchemes?: Record<string, SecurityScheme>
  /** Security requirements for every operation that does not set its own. @default none */
  security?: Record<string, string[]>[]
  /** Path of the JSON document. @default '/openapi.json' */
  path?: string
  /** Path of the Swagger UI page; `false` for none. @default '/docs' */
  docsPath?: string | false
}

/** An OpenAPI 3.1 document. */
export type OpenApiDocument = Record<string, unknown> & { openapi: '3.1.0'; paths: Record<string, unknown> }

const ERROR_SCHEMA = {
  type: 'object',
  description: 'The JSON body of every error response.',
  properties: {
    status: { type: 'integer' },
    code: { type: 'string', examples: ['ERR_VALIDATION'] },
    message: { type: 'string' },
    requestId: { type: 'string' },
    details: {
      type: 'array',
      items: {
        type: 'object',
        properties: { location: { type: 'string' }, message: { type: 'string' } },
        required: ['location', 'message'],
      },
    },
  },
  required: ['status', 'code', 'message', 'requestId'],
}

type Visit = (method: string, pattern: string, operation: Operation) => void

function walk(router: Router<object>, prefix: string, visit: Visit): void {
  for (const route of router.routes) {
    // `ALL` has no OpenAPI method; such routes (and hidden ones) stay out of the document.
    if (route.options.hidden || route.method === 'ALL') continue
    const pattern = joinPaths(prefix, route.path)
    visit(route.method.toLowerCase(), pattern, buildOperation(route, pattern))
  }
  for (const child of router.children) walk(child, joinPaths(prefix, child.prefix), visit)
}

/**
 * Builds the document for `root` and every router mounted in it. Operation ids are made unique by a
 * numeric suffix when two routes would share one.
 */
export function buildOpenApiDocument(root: Router<object>, options: OpenApiOptions = {}): OpenApiDocument {
  const paths: Record<string, Record<string, Operation>> = {}
  const ids = new Set<string>()
  walk(root, root.prefix, (method, pattern, operation) => {
    let id = String(operation.operationId)
    for (let n = 2; ids.has(id); n++) id = `${String(operation.operationId)}${n}`
    ids.add(id)
    const { path } = openApiPath(pattern)
    ;(paths[path] ??= {})[method] = { ...operation, operationId: id }
  })
  const doc: OpenApiDocument = {
    openapi: '3.1.0',
    info: options.info ?? { title: 'API', version: '0.0.0' },
    paths,
    components: {
      schemas: { Error: ERROR_SCHEMA },
      ...(options.securitySchemes ? { securitySchemes: options.securitySchemes } : {}),
    },
  }
  if (options.servers) doc.servers = options.servers
  if (options.security) doc.security = options.security
  return doc
}
