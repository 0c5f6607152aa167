import { compileErrors, validate } from '@readme/openapi-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../examples/api/app.js'
import type { App } from '../../src/index.js'

describe('examples/api with schemas and docs', () => {
  let app: App
  let base = ''

  beforeAll(async () => {
    app = await buildApp({ logger: false, ioDelayMs: 1, dbLatencyMs: 0 })
    base = (await app.listen({ port: 0, signals: false })).url
  })
  afterAll(() => app.close())

  it('serves a valid OpenAPI 3.1 document listing every route', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, object> }
    const result = await validate(structuredClone(doc) as never)
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true)
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/health',
      '/io',
      '/items',
      '/items/{id}',
      '/stats',
      '/stats/reset',
    ])
  })

  it('serves /docs and its assets from the package', async () => {
    const page = await fetch(`${base}/docs`)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const bundle = await fetch(`${base}/docs/swagger-ui-bundle.js`)
    expect(bundle.status).toBe(200)
    expect((await bundle.text()).length).toBeGreaterThan(100_000)
  })

  it('validates item input with 422 details and answers 201 with the schema’s fields', async () => {
    const post = (body: string) =>
      fetch(`${base}/items`, { method: 'POST', body, headers: { 'content-type': 'application/json' } })
    const bad = await post(JSON.stringify({ name: '' }))
    expect(bad.status).toBe(422)
    expect(await bad.json()).toMatchObject({ code: 'ERR_VALIDATION', details: [{ location: 'body.name' }] })
    expect((await post('{')).status).toBe(400)
    const created = await post(JSON.stringify({ name: ' pen ' }))
    expect(created.status).toBe(201)
    const item = (await created.json()) as { id: string; name: string }
    expect(item.name).toBe('pen')
    expect((await fetch(`${base}/items/${item.id}`)).status).toBe(200)
    expect((await fetch(`${base}/items/nope`)).status).toBe(404)
    expect((await fetch(`${base}/items/999`)).status).toBe(404)
  })

  it('keeps GET /io as before', async () => {
    const res = await fetch(`${base}/io`)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ kind: 'timer' })
    expect((await fetch(`${base}/io?kind=nope`)).status).toBe(400)
  })
})
