/**
 * app.channels on the uWS core with real `ws` clients: join, leave, broadcast (with and without an
 * excepted sender), send to one connection by id, the groups listing over HTTP, and auto-leave on close.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createApp, type App } from '../../../src/index.js'
import { waitUntil } from '../helpers/server.js'
import { quietFor, TestClient } from './ws-client.js'

const Command = z.discriminatedUnion('op', [
  z.object({ op: z.literal('say'), text: z.string() }),
  z.object({ op: z.literal('all'), text: z.string() }),
  z.object({ op: z.literal('dm'), to: z.string(), text: z.string() }),
  z.object({ op: z.literal('leave') }),
])

describe('app.channels', () => {
  let app: App
  let base: string
  let url: string

  beforeAll(async () => {
    app = createApp({ logger: false })
    app.ws('/rooms/:room', {
      schema: Command,
      upgrade: (req) => ({ user: req.query.get('user') ?? 'anon' }),
      open: (ws) => {
        app.channels.join(ws.params.room, ws)
        ws.send({ id: ws.id })
      },
      message: (ws, command) => {
        const room = ws.params.room
        if (command.op === 'say')
          app.channels.broadcast(room, { from: ws.data.user, text: command.text }, { except: ws })
        else if (command.op === 'all')
          app.channels.broadcast(room, { from: ws.data.user, text: command.text })
        else if (command.op === 'dm')
          ws.send({ sent: app.channels.send(command.to, { dm: command.text, from: ws.data.user }) })
        else ws.send({ left: app.channels.leave(room, ws) })
      },
      close: (ws) => {
        // Still a member here: auto-leave happens after the close handler.
        for (const group of app.channels.groupsOf(ws))
          app.channels.broadcast(group, { gone: ws.data.user }, { except: ws })
      },
    })
    app.ws('/topic/:name', {
      open: (ws) => {
        ws.subscribe(ws.params.name)
        ws.send('subscribed')
      },
    })
    app.get('/groups', () => app.channels.groups())
    app.post('/groups/:group', async (ctx) => ({
      ok: app.channels.broadcast(ctx.params.group, await ctx.req.text()),
    }))
    app.post('/connections/:id', async (ctx) => ({
      sent: app.channels.send(ctx.params.id, await ctx.req.text()),
    }))
    const info = await app.listen({ port: 0, signals: false })
    base = `ws://127.0.0.1:${info.port}`
    url = info.url
  })

  afterAll(() => app.close())

  /** Connects to a room and returns the client with its connection id (its first message). */
  async function join(room: string, user: string): Promise<{ client: TestClient; id: string }> {
    const client = await TestClient.open(`${base}/rooms/${room}?user=${user}`)
    const { id } = (await client.json()) as { id: string }
    return { client, id }
  }

  async function groups(): Promise<Array<{ name: string; members: number }>> {
    return (await fetch(`${url}/groups`)).json() as Promise<Array<{ name: string; members: number }>>
  }

  it('broadcasts to every member except the sender, once each, and not to other groups', async () => {
    const [a, b, c, d] = await Promise.all([
      join('r1', 'a'),
      join('r1', 'b'),
      join('r1', 'c'),
      join('r2', 'd'),
    ])
    a.client.send(JSON.stringify({ op: 'say', text: 'hi' }))
    expect(await b.client.json()).toEqual({ from: 'a', text: 'hi' })
    expect(await c.client.json()).toEqual({ from: 'a', text: 'hi' })
    expect(await quietFor(a.client, 1)).toBe(true)
    expect(await quietFor(b.client, 2, 0)).toBe(true)
    expect(d.client.messages).toHaveLength(1)
    a.client.send(JSON.stringify({ op: 'all', text: 'everyone' }))
    for (const member of [a, b, c])
      expect(await member.client.json()).toEqual({ from: 'a', text: 'everyone' })
    await Promise.all([a, b, c, d].map((m) => m.client.close()))
  })

  it('lists groups with member counts and forgets a member when its socket closes (auto-leave)', async () => {
    const x = await join('lobby', 'x')
    const y = await join('lobby', 'y')
    const z1 = await join('side', 'z')
    expect(await groups()).toEqual(
      expect.arrayContaining([
        { name: 'lobby', members: 2 },
        { name: 'side', members: 1 },
      ]),
    )
    await y.client.close()
    // The close handler's farewell reached the remaining member, not the one that left.
    expect(await x.client.json()).toEqual({ gone: 'y' })
    await waitUntil(() => app.channels.members('lobby').length === 1, 2000, 'auto-leave')
    expect((await groups()).find((g) => g.name === 'lobby')).toEqual({ name: 'lobby', members: 1 })
    await z1.client.close()
    await waitUntil(() => app.channels.members('side').length === 0, 2000, 'auto-leave')
    expect((await groups()).find((g) => g.name === 'side')).toBeUndefined()
    await x.client.close()
  })

  it('stops delivering to a connection that left the group', async () => {
    const p = await join('leavers', 'p')
    const q = await join('leavers', 'q')
    p.client.send(JSON.stringify({ op: 'leave' }))
    expect(await p.client.json()).toEqual({ left: true })
    q.client.send(JSON.stringify({ op: 'say', text: 'anyone?' }))
    await new Promise((resolve) => setTimeout(resolve, 100))
    const res = await fetch(`${url}/groups/leavers`, { method: 'POST', body: 'from http' })
    expect(await res.json()).toEqual({ ok: true })
    expect(await q.client.next()).toBe('from http')
    expect(await quietFor(p.client, 2)).toBe(true)
    expect(app.channels.groupsOf(app.channels.connection(p.id)!)).toEqual([])
    await Promise.all([p.client.close(), q.client.close()])
  })

  it('sends to one connection by id, from a socket or an HTTP handler, and to nobody else', async () => {
    const s = await join('dm', 's')
    const t = await join('dm', 't')
    s.client.send(JSON.stringify({ op: 'dm', to: t.id, text: 'psst' }))
    expect(await t.client.json()).toEqual({ dm: 'psst', from: 's' })
    expect(await s.client.json()).toEqual({ sent: true })
    const res = await fetch(`${url}/connections/${t.id}`, { method: 'POST', body: 'from http' })
    expect(await res.json()).toEqual({ sent: true })
    expect(await t.client.next()).toBe('from http')
    expect(await quietFor(s.client, 2)).toBe(true)
    const unknown = await fetch(`${url}/connections/00000000-0000-4000-8000-000000000000`, {
      method: 'POST',
      body: 'x',
    })
    expect(await unknown.json()).toEqual({ sent: false })
    await Promise.all([s.client.close(), t.client.close()])
  })

  it('keeps group names apart from plain topics of the same name', async () => {
    const member = await join('news', 'm')
    const subscriber = await TestClient.open(`${base}/topic/news`)
    expect(await subscriber.next()).toBe('subscribed')
    app.publish('news', 'topic message')
    app.channels.broadcast('news', 'group message')
    expect(await subscriber.next()).toBe('topic message')
    expect(await member.client.next()).toBe('group message')
    expect(await quietFor(subscriber, 2)).toBe(true)
    expect(await quietFor(member.client, 2, 0)).toBe(true)
    await Promise.all([member.client.close(), subscriber.close()])
  })

  it('refuses an empty group name with a TypeError', () => {
    expect(() => app.channels.broadcast('', 'x')).toThrow(TypeError)
  })
})
