import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { createApp, type InvalidMessage, type WebSocketMessage } from '../../src/index.js'

describe('app.ws() message types', () => {
  const app = createApp({ logger: false })

  it('types the message from the schema, next to the upgrade data and the path params', () => {
    app.ws('/rooms/:room', {
      schema: z.object({ type: z.literal('say'), text: z.string(), at: z.coerce.date().optional() }),
      upgrade: () => ({ user: 'ada' }),
      message: (ws, message) => {
        expectTypeOf(message).toEqualTypeOf<{ type: 'say'; text: string; at?: Date | undefined }>()
        expectTypeOf(ws.data).toEqualTypeOf<{ user: string }>()
        expectTypeOf(ws.params).toEqualTypeOf<{ room: string }>()
        expectTypeOf(ws.id).toEqualTypeOf<string>()
      },
      onInvalidMessage: (ws, problem) => {
        expectTypeOf(ws.data).toEqualTypeOf<{ user: string }>()
        expectTypeOf(problem).toEqualTypeOf<InvalidMessage>()
      },
    })
  })

  it('types a discriminated union schema as the union', () => {
    app.ws('/events', {
      schema: z.discriminatedUnion('type', [
        z.object({ type: z.literal('join'), room: z.string() }),
        z.object({ type: z.literal('leave') }),
      ]),
      message: (_ws, message) => {
        if (message.type === 'join') expectTypeOf(message.room).toEqualTypeOf<string>()
        else expectTypeOf(message).toEqualTypeOf<{ type: 'leave' }>()
      },
    })
  })

  it('hands the raw message (string or Buffer) without a schema', () => {
    app.ws('/raw', {
      message: (_ws, message) => {
        expectTypeOf(message).toEqualTypeOf<WebSocketMessage>()
        expectTypeOf(message).toEqualTypeOf<string | Buffer>()
      },
    })
  })

  it('accepts any route’s connection in channels', () => {
    app.ws('/chat/:room', {
      upgrade: () => ({ name: 'x' }),
      open: (ws) => {
        expectTypeOf(app.channels.join(`room:${ws.params.room}`, ws)).toEqualTypeOf<boolean>()
        expectTypeOf(app.channels.groups()).toEqualTypeOf<Array<{ name: string; members: number }>>()
      },
    })
  })

  it('refuses an onInvalidMessage policy that is not one of the documented ones', () => {
    app.ws('/bad', {
      schema: z.object({ a: z.number() }),
      // @ts-expect-error only 'reply', 'close' or a function
      onInvalidMessage: 'ignore',
    })
  })
})
