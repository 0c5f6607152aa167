import { validate, compileErrors } from '@readme/openapi-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openApiApp } from './fixtures/openapi-app.js'

type Doc = {
  openapi: string
  info: { title: string }
  paths: Record<string, Record<string, Record<string, unknown>>>
  components: { securitySchemes: Record<string, unknown> }
}

describe('GET /openapi.json', () => {
  const { app } = openApiApp()
  let base = ''
  let doc: Doc

  beforeAll(async () => {
    const { url } = await app.listen({ port: 0, signals: false })
    base = url
    const res = await fetch(`${base}/openapi.json`)
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
    doc = (await res.json()) as Doc
  })
  afterAll(() => app.close())

  it('serves a document @readme/openapi-parser validates as OpenAPI 3.1', async () => {
    expect(doc.openapi).toBe('3.1.0')
    const result = await validate(structuredClone(doc) as never)
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true)
  })

  it('types path params from the schema and lists query and header params', () => {
    const op = doc.paths['/items/{id}']?.get
    expect(op?.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: expect.objectContaining({ type: 'integer' }) },
      { name: 'x-trace', in: 'header', required: false, schema: { type: 'string' } },
    ])
    expect(doc.paths['/greet']?.get?.parameters).toEqual([
      { name: 'name', in: 'query', required: false, schema: { type: 'string', default: 'world' } },
    ])
  })

  it('describes request bodies per media type and responses per status', () => {
    const post = doc.paths['/items']?.post as { requestBody: { content: object }; responses: object }
    expect(Object.keys(post.requestBody.content)).toEqual([
      'application/json',
      'application/x-www-form-urlencoded',
    ])
    expect(Object.keys(post.responses).sort()).toEqual(['201', '415', '422'])
    const get = doc.paths['/items/{id}']?.get as { responses: Record<string, { description: string }> }
    expect(get.responses['404']?.description).toBe('No such item')
    expect(JSON.stringify(get.responses['200'])).toContain('"format":"date-time"')
  })

  it('carries tags, summaries, operation ids, deprecation and security', () => {
    expect(doc.paths['/greet']?.get).toMatchObject({
      summary: 'Greets someone',
      tags: ['greetings'],
      operationId: 'getGreet',
    })
    expect(doc.paths['/items/{id}']?.get).toMatchObject({
      operationId: 'getItem',
      security: [{ bearer: [] }],
    })
    expect(doc.paths['/items/{id}']?.delete).toMatchObject({ deprecated: true })
    expect(doc.components.securitySchemes).toEqual({
      bearer: { type: 'http', scheme: 'bearer' },
      apiKey: { type: 'apiKey', name: 'x-api-key', in: 'header' },
    })
  })

  it('leaves hidden routes and its own routes out', () => {
    expect(Object.keys(doc.paths).sort()).toEqual(['/greet', '/items', '/items/{id}'])
  })
})
