import { describe, expect, it } from 'vitest'
import { compose, ERR, type Middleware } from '../../src/index.js'

type Ctx = { log: string[]; settled: unknown[] }
const settle = (ctx: Ctx, value: unknown): void => void ctx.settled.push(value)
const newCtx = (): Ctx => ({ log: [], settled: [] })

describe('compose', () => {
  it('runs middleware in the order added, with after-code on the way out', async () => {
    const mw = (name: string): Middleware<Ctx> =>
      async function named(ctx, next) {
        ctx.log.push(`${name} in`)
        await next()
        ctx.log.push(`${name} out`)
      }
    const ctx = newCtx()
    await compose([mw('a'), mw('b'), mw('c')], settle)(ctx)
    expect(ctx.log).toEqual(['a in', 'b in', 'c in', 'c out', 'b out', 'a out'])
  })

  it('short-circuits when a middleware does not call next', async () => {
    const ctx = newCtx()
    await compose<Ctx>([(c) => void c.log.push('stop'), (c) => void c.log.push('never')], settle)(ctx)
    expect(ctx.log).toEqual(['stop'])
  })

  it('rejects with ERR_NEXT_CALLED_TWICE and runs downstream once when next is called twice', async () => {
    let downstream = 0
    const twice: Middleware<Ctx> = async (_ctx, next) => {
      await next()
      await next()
    }
    const run = compose<Ctx>([twice, () => void downstream++], settle)
    await expect(run(newCtx())).rejects.toMatchObject({ status: 500, code: ERR.NEXT_CALLED_TWICE })
    expect(downstream).toBe(1)
  })

  it('passes synchronous throws and rejections to the caller', async () => {
    const sync = compose<Ctx>(
      [
        () => {
          throw new Error('sync')
        },
      ],
      settle,
    )
    const async_ = compose<Ctx>([async () => Promise.reject(new Error('async'))], settle)
    await expect(sync(newCtx())).rejects.toThrow('sync')
    await expect(async_(newCtx())).rejects.toThrow('async')
  })

  it('throws an Error that a middleware returns instead of treating it as a response', async () => {
    let ran = false
    const run = compose<Ctx>([() => new Error('returned'), () => void (ran = true)], settle)
    await expect(run(newCtx())).rejects.toThrow('returned')
    expect(ran).toBe(false)
  })

  it('settles returned values and calls the final next after the last middleware', async () => {
    const ctx = newCtx()
    await compose<Ctx>([async (_c, next) => next(), () => ({ ok: true })], settle)(ctx)
    expect(ctx.settled).toEqual([{ ok: true }])
    const tail = newCtx()
    await compose<Ctx>([async (_c, next) => next()], settle)(tail, async () => void tail.log.push('last'))
    expect(tail.log).toEqual(['last'])
  })

  it('refuses non-function middleware when composing', () => {
    expect(() => compose([42 as unknown as Middleware<Ctx>], settle)).toThrow(TypeError)
  })
})
