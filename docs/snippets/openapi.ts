import { z } from 'zod'
import { createApp } from '../../src/index.js'

export const app = createApp({
  logger: false,
  openapi: {
    info: { title: 'Books', version: '1.0.0' },
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    security: [{ bearer: [] }],
  },
})

const Book = z.object({ id: z.number().int(), title: z.string() }).meta({ description: 'A book' })

app.get(
  '/books/:id',
  {
    name: 'getBook',
    summary: 'Reads one book',
    tags: ['books'],
    schema: { params: z.object({ id: z.number().int() }), response: { 200: Book } },
  },
  (ctx) => ({ id: ctx.valid.params.id, title: 'Dune' }),
)

app.get('/health', { security: [], summary: 'Liveness', tags: ['ops'] }, () => ({ ok: true }))
// GET /openapi.json → the OpenAPI 3.1 document; GET /docs → Swagger UI, served offline.
