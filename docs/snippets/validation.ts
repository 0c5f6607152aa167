import { z } from 'zod'
import { createApp } from '../../src/index.js'

const Item = z.object({ id: z.number(), name: z.string(), tags: z.array(z.string()) })
const NewItem = z.object({ name: z.string().min(1), tags: z.array(z.string()).default([]) })

export const app = createApp({ logger: false })

app.post(
  '/lists/:listId/items',
  {
    schema: {
      params: z.object({ listId: z.number().int() }), // '7' arrives, 7 is validated
      query: z.object({ notify: z.boolean().default(false) }),
      body: NewItem,
      response: { 201: Item },
    },
  },
  (ctx) => {
    const { name, tags } = ctx.valid.body // typed: { name: string; tags: string[] }
    ctx.status(201)
    return { id: ctx.valid.params.listId * 100, name, tags, internal: 'never sent' }
  },
)
