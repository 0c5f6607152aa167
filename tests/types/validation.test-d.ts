import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { createApp, provide, Router, stateMiddleware, type Context } from '../../src/index.js'

describe('ctx.valid', () => {
  const app = createApp({ logger: false })

  it('is typed from each schema, outputs after coercion and defaults', () => {
    app.post(
      '/users/:id/books/:bookId',
      {
        schema: {
          params: z.object({ id: z.number(), bookId: z.string() }),
          query: z.object({ tags: z.array(z.string()).default([]), limit: z.number().optional() }),
          headers: z.object({ 'x-tenant': z.string() }),
          body: z.object({ title: z.string(), at: z.date() }),
        },
      },
      (ctx) => {
        expectTypeOf(ctx.valid.params).toEqualTypeOf<{ id: number; bookId: string }>()
        expectTypeOf(ctx.valid.query).toEqualTypeOf<{ tags: string[]; limit?: number | undefined }>()
        expectTypeOf(ctx.valid.headers).toEqualTypeOf<{ 'x-tenant': string }>()
        expectTypeOf(ctx.valid.body).toEqualTypeOf<{ title: string; at: Date }>()
        // ctx.params keeps its path-string inference.
        expectTypeOf(ctx.params).toEqualTypeOf<{ id: string; bookId: string }>()
      },
    )
  })

  it('is a union of the media types’ outputs for a body per media type', () => {
    app.post(
      '/forms',
      {
        schema: {
          body: {
            'application/json': z.object({ a: z.number() }),
            'multipart/form-data': z.object({ file: z.instanceof(File) }),
          },
        },
      },
      (ctx) => {
        expectTypeOf(ctx.valid.body).toEqualTypeOf<{ a: number } | { file: File }>()
      },
    )
  })

  it('types route middleware before the handler too', () => {
    const items = new Router({ prefix: '/items' })
    items.get(
      '/:id',
      { name: 'item', schema: { query: z.object({ q: z.string() }) } },
      async (ctx, next) => {
        expectTypeOf(ctx.valid.query.q).toEqualTypeOf<string>()
        await next()
      },
      (ctx) => ctx.valid.query.q,
    )
  })

  it('does not compile for parts the route has no schema for', () => {
    app.get('/plain', (ctx) => {
      // @ts-expect-error no schema: nothing validated
      void ctx.valid.body
    })
    app.get('/query-only', { schema: { query: z.object({ q: z.string() }) } }, (ctx) => {
      // @ts-expect-error only the query was declared
      void ctx.valid.body
      // @ts-expect-error the query has no field `r`
      void ctx.valid.query.r
      // @ts-expect-error q is a string, not a number
      const n: number = ctx.valid.query.q
      void n
    })
    app.get('/opts', { name: 'opts' }, (ctx) => {
      // @ts-expect-error route options without a schema validate nothing
      void ctx.valid.query
    })
  })

  it('does not compile for a schema that is not zod', () => {
    // @ts-expect-error `body` must be a zod schema or a record of them
    app.post('/bad', { schema: { body: { name: 'string' } } }, () => undefined)
  })
})

describe('provide()', () => {
  it('types resolve() from the factory, async generators included', () => {
    const db = provide('db', async function* () {
      yield { query: (sql: string) => Promise.resolve([sql]) }
    })
    const n = provide('n', () => 42)
    createApp().get('/', async (ctx) => {
      expectTypeOf(await db.resolve(ctx)).toEqualTypeOf<{ query: (sql: string) => Promise<string[]> }>()
      expectTypeOf(await n.resolve(ctx)).toEqualTypeOf<number>()
      // @ts-expect-error resolve() needs the request's context
      await n.resolve()
    })
    expectTypeOf(n.resolve).parameter(0).toExtend<Context<object, object, object>>()
  })
})

describe('router.group(stateMiddleware)', () => {
  interface User {
    id: string
    name: string
  }

  it('types ctx.state in the group’s handlers from the middleware that sets it', () => {
    const requireUser = stateMiddleware<{ user: User }>(async (ctx, next) => {
      expectTypeOf(ctx.state.user).toEqualTypeOf<User | undefined>()
      ctx.state.user = { id: '1', name: 'Ada' }
      await next()
    })
    const app = createApp({ logger: false })
    const authed = app.group(requireUser)
    authed.get('/me/:tab', (ctx) => {
      expectTypeOf(ctx.state.user).toEqualTypeOf<User>()
      expectTypeOf(ctx.params).toEqualTypeOf<{ tab: string }>()
      return ctx.state.user.name
    })
    app.get('/public', (ctx) => {
      // @ts-expect-error outside the group nothing set `user`
      void ctx.state.user.name
    })
  })

  it('does not compile when the middleware sets a key of the wrong type', () => {
    stateMiddleware<{ user: User }>(async (ctx, next) => {
      // @ts-expect-error `user` must be a User
      ctx.state.user = 'ada'
      await next()
    })
  })
})
