import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { override } from '../../../src/index.js'
import * as deps from '../../../docs/snippets/dependencies.js'
import * as openapi from '../../../docs/snippets/openapi.js'
import * as typedState from '../../../docs/snippets/typed-state.js'
import * as validation from '../../../docs/snippets/validation.js'

const root = new URL('../../../', import.meta.url)

/** Each `<!-- snippet: path -->` in a guide must be followed by that file's exact text in a code block. */
function snippetsOf(guide: string): { path: string; block: string }[] {
  const text = readFileSync(new URL(guide, root), 'utf8')
  return [...text.matchAll(/<!-- snippet: (\S+) -->\n```ts\n([\s\S]*?)```/g)].map((m) => ({
    path: m[1] as string,
    block: m[2] as string,
  }))
}

describe('docs snippets', () => {
  it.each(['docs/validation.md', 'docs/openapi.md', 'docs/dependencies.md'])(
    'shows the tested snippet files verbatim in %s',
    (guide) => {
      const snippets = snippetsOf(guide)
      expect(snippets.length).toBeGreaterThan(0)
      for (const { path, block } of snippets) expect(block).toBe(readFileSync(new URL(path, root), 'utf8'))
    },
  )

  it('validation.ts coerces, validates and strips as docs/validation.md says', async () => {
    const ok = await validation.app.inject({ method: 'POST', url: '/lists/7/items', body: { name: 'pen' } })
    expect(ok.status).toBe(201)
    expect(ok.json()).toEqual({ id: 700, name: 'pen', tags: [] })
    const bad = await validation.app.inject({
      method: 'POST',
      url: '/lists/x/items?notify=maybe',
      body: { name: '' },
    })
    expect(bad.status).toBe(422)
    expect(bad.json()).toMatchObject({
      code: 'ERR_VALIDATION',
      details: [{ location: 'params.listId' }, { location: 'query.notify' }, { location: 'body.name' }],
    })
  })

  it('typed-state.ts answers from the state its middleware set, 401 without it', async () => {
    const res = await typedState.app.inject({ url: '/me', headers: { 'x-user': 'ada' } })
    expect(res.json()).toEqual({ hello: 'ada' })
    expect((await typedState.app.inject('/me')).status).toBe(401)
  })

  it('dependencies.ts shares one connection per request and releases it after the response', async () => {
    const res = await deps.app.inject('/users/42')
    expect(res.json()).toEqual({
      rows: [{ sql: 'select * from users where id = $1', params: ['42'] }],
      sameConnection: true,
    })
    expect(deps.pool.open).toBe(0)
    const fake = { query: async () => [{ fake: true }], release: () => undefined }
    const faked = await deps.app.inject({ url: '/users/1', overrides: [override(deps.db, () => fake)] })
    expect(faked.json()).toMatchObject({ rows: [{ fake: true }] })
  })

  it('openapi.ts serves the document and the docs page', async () => {
    const doc = (await openapi.app.inject('/openapi.json')).json<{ paths: Record<string, unknown> }>()
    expect(doc.paths['/books/{id}']).toMatchObject({
      get: { operationId: 'getBook', responses: { 200: { description: 'A book' } } },
    })
    expect(doc.paths['/health']).toMatchObject({ get: { security: [] } })
    const page = await openapi.app.inject('/docs')
    expect(page.status).toBe(200)
    expect(page.body).toContain('swagger-ui-bundle.js')
  })
})
