import { describe, expectTypeOf, it } from 'vitest'
import { createApp, Router, type Context, type PathParams } from '../../src/index.js'

describe('PathParams', () => {
  it('infers one string key per :param', () => {
    expectTypeOf<PathParams<'/users/:id/books/:bookId'>>().toEqualTypeOf<{ id: string; bookId: string }>()
  })

  it('infers "*" for a trailing wildcard, alone or after params', () => {
    expectTypeOf<PathParams<'/static/*'>>().toEqualTypeOf<{ '*': string }>()
    expectTypeOf<PathParams<'/users/:id/files/*'>>().toEqualTypeOf<{ id: string; '*': string }>()
  })

  it('ignores a trailing slash after a param', () => {
    expectTypeOf<PathParams<'/users/:id/'>>().toEqualTypeOf<{ id: string }>()
  })

  it('infers no keys for a static path', () => {
    expectTypeOf<PathParams<'/health'>>().toEqualTypeOf<Record<never, never>>()
    expectTypeOf<keyof PathParams<'/health'>>().toEqualTypeOf<never>()
  })

  it('falls back to a string record for a path only known as string', () => {
    expectTypeOf<PathParams<string>>().toEqualTypeOf<Record<string, string>>()
  })
})

describe('ctx.params in route handlers', () => {
  const app = createApp({ logger: false })

  it('is typed from the path string of app.get()', () => {
    app.get('/users/:id/books/:bookId', (ctx) => {
      expectTypeOf(ctx.params).toEqualTypeOf<{ id: string; bookId: string }>()
      expectTypeOf(ctx.params.id).toBeString()
      // @ts-expect-error -- not a param of this path
      void ctx.params.nope
    })
  })

  it('is typed for the wildcard and for static paths', () => {
    app.get('/static/*', (ctx) => {
      expectTypeOf(ctx.params).toEqualTypeOf<{ '*': string }>()
    })
    app.get('/health', (ctx) => {
      expectTypeOf(ctx.params).toEqualTypeOf<Record<never, never>>()
      // @ts-expect-error -- a static path has no params
      void ctx.params.id
    })
  })

  it('is typed in route-level middleware and with route options', () => {
    app.post(
      '/orgs/:org/members/:member',
      { name: 'member' },
      async (ctx, next) => {
        expectTypeOf(ctx.params).toEqualTypeOf<{ org: string; member: string }>()
        await next()
      },
      (ctx) => ctx.params.member,
    )
  })

  it('is typed on every verb of a Router', () => {
    const router = new Router({ prefix: '/api' })
    router.delete('/items/:itemId', (ctx) => {
      expectTypeOf(ctx.params).toEqualTypeOf<{ itemId: string }>()
    })
    router.all('/proxy/*', (ctx) => {
      expectTypeOf(ctx.params['*']).toBeString()
    })
  })

  it('types app middleware params as a string record', () => {
    app.use(async (ctx, next) => {
      expectTypeOf(ctx).toExtend<Context<Record<string, string>>>()
      expectTypeOf(ctx.params.anything).toEqualTypeOf<string | undefined>()
      await next()
    })
  })
})

describe('ctx.state', () => {
  it('is typed from the App state parameter', () => {
    const app = createApp<{ user?: { name: string } }>({ logger: false })
    app.get('/me', (ctx) => {
      expectTypeOf(ctx.state.user).toEqualTypeOf<{ name: string } | undefined>()
      return ctx.state.user?.name
    })
  })
})
