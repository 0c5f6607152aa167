/**
 * examples/chat with plain clients on the real uWS core: what the upgrade step refuses (and that it
 * answers before any 101), the message limits, history and the room bound. The browser side is in
 * in-chromium.test.ts.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { WebSocket } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp, tryIt } from '../../../examples/chat/app.js'
import { withUrl } from '../../../examples/middleware/serve.js'
import type { App } from '../../../src/index.js'
import { rawRequest } from '../helpers/raw-socket.js'
import { captureLogs, within } from '../helpers/server.js'
import { ChatClient } from './chat-client.js'

/** A WebSocket handshake for `target`, as raw bytes (the status line of a refusal is then visible). */
function handshake(port: number, target: string, extra = ''): string {
  return (
    `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`
  )
}

/** Status and JSON body of a refused handshake. */
async function refusal(port: number, target: string, extra = ''): Promise<{ status: number; body: unknown }> {
  const result = await rawRequest(port, handshake(port, target, extra), {
    until: (data) => /\r\n\r\n\{[^]*\}$/.test(data.toString('latin1')),
  })
  const [head = '', body = ''] = result.text.split('\r\n\r\n')
  expect(head).toMatch(/content-type: application\/json/i)
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), body: JSON.parse(body) }
}

describe('examples/chat (plain clients)', () => {
  const logs = captureLogs()
  let app: App
  let base = ''
  let port = 0

  beforeAll(async () => {
    app = buildApp({ logger: logs.logger, historySize: 3 })
    ;({ url: base, port } = await app.listen({ port: 0, signals: false }))
    base = base.replace(/\/$/, '')
  })
  afterAll(() => app.close())

  it('refuses a bad nickname with 422 and the JSON error body before any 101, and logs it', async () => {
    const { status, body } = await refusal(port, '/ws/lobby?nick=%3Cscript%3E')
    expect(status).toBe(422)
    expect(body).toEqual({
      status: 422,
      code: 'ERR_VALIDATION',
      message: 'nick: letters, digits, spaces and . _ - only',
    })
    expect(logs.lines).toContainEqual(
      expect.objectContaining({
        msg: 'chat: join refused',
        reason: 'nick: letters, digits, spaces and . _ - only',
      }),
    )
    // A real client never gets an open socket.
    const ws = new WebSocket(`${base.replace('http', 'ws')}/ws/lobby?nick=${'x'.repeat(25)}`)
    const outcome = await within(
      new Promise<string>((resolve) => {
        ws.addEventListener('open', () => resolve('open'))
        ws.addEventListener('close', (e) => resolve(`closed ${e.code}`))
      }),
      5000,
      'the refused WebSocket',
    )
    expect(outcome).toBe('closed 1006')
  })

  it('refuses a missing nick, a bad room name and a cross-origin page with 4xx, and lets same-origin in', async () => {
    expect((await refusal(port, '/ws/lobby')).body).toMatchObject({ status: 422, message: 'nick: required' })
    expect((await refusal(port, '/ws/lobby?nick=%20%20')).status).toBe(422)
    expect((await refusal(port, '/ws/no_underscores?nick=ann')).body).toMatchObject({
      status: 422,
      message: expect.stringMatching(/^room: /),
    })
    expect((await refusal(port, `/ws/${'r'.repeat(33)}?nick=ann`)).status).toBe(422)
    const evil = await refusal(port, '/ws/lobby?nick=ann', 'Origin: http://evil.example\r\n')
    expect(evil).toEqual({
      status: 403,
      body: { status: 403, code: 'ERR_FORBIDDEN', message: 'cross-origin WebSocket refused' },
    })
    expect((await refusal(port, '/nowhere?nick=ann')).status).toBe(404)
    const friend = await ChatClient.join(base, 'Lobby', 'ann', `http://127.0.0.1:${port}`)
    expect(friend.messages[0]).toMatchObject({ type: 'welcome', room: 'lobby', nick: 'ann' })
    await friend.close()
  })

  it('closes a socket that sends more than 4 KiB with 1009 and tells the room it left', async () => {
    const stay = await ChatClient.join(base, 'big', 'stay')
    const loud = await ChatClient.join(base, 'big', 'loud')
    await stay.waitFor((m) => m.type === 'join' && m.nick === 'loud', 'the join notice')
    loud.sendRaw(JSON.stringify({ type: 'say', text: 'x'.repeat(4096) }))
    expect(await within(loud.closed, 5000, 'the 1009 close')).toBe(1009)
    expect(await stay.waitFor((m) => m.type === 'leave', 'the leave notice')).toEqual({
      type: 'leave',
      nick: 'loud',
      members: 1,
    })
    await stay.close()
  })

  it('answers malformed messages with an error and keeps the socket open', async () => {
    const ann = await ChatClient.join(base, 'errors', 'ann')
    const bad = [
      'not json',
      JSON.stringify({ type: 'shout', text: 'hi' }),
      JSON.stringify({ type: 'say', text: '   ' }),
      JSON.stringify({ type: 'say', text: 'a'.repeat(501) }),
      JSON.stringify({ type: 'say', text: 'two\nlines' }),
      '{"type":"say","text":"x","__proto__":{"polluted":true}}',
    ]
    for (const frame of bad) ann.sendRaw(frame)
    ann.say('still here')
    await ann.waitFor((m) => m.type === 'message', 'the valid message')
    const errors = ann.messages.filter((m) => m.type === 'error').map((m) => m.message)
    expect(errors).toEqual([
      'expected JSON: {"type":"say","text":"..."}',
      expect.stringMatching(/^type: /),
      'text: empty',
      'text: at most 500 characters',
      'text: no control characters',
      'expected JSON: {"type":"say","text":"..."}',
    ])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(ann.messages.at(-1)).toMatchObject({ type: 'message', nick: 'ann', text: 'still here' })
    await ann.close()
  })

  it('closes a socket that sends a binary frame with 1003', async () => {
    const ann = await ChatClient.join(base, 'binary', 'ann')
    ann.sendRaw(new Uint8Array([1, 2, 3]))
    expect(await within(ann.closed, 5000, 'the 1003 close')).toBe(1003)
  })

  it('drops messages beyond the per-second rate with an error reply', async () => {
    const ann = await ChatClient.join(base, 'rate', 'ann')
    for (let i = 1; i <= 14; i++) ann.say(`m${i}`)
    await ann.waitFor((m) => m.type === 'error', 'the rate error')
    await ann.waitFor((m) => m.type === 'message' && m.text === 'm10', 'the tenth message')
    expect(ann.messages.find((m) => m.type === 'error')).toEqual({
      type: 'error',
      message: 'slow down: at most 10 messages a second',
    })
    expect(ann.texts()).toEqual(Array.from({ length: 10 }, (_, i) => `m${i + 1}`))
    expect(ann.messages.filter((m) => m.type === 'error')).toHaveLength(4)
    await ann.close()
  })

  it('gives a newcomer the last 3 messages of the room with the member count', async () => {
    const ann = await ChatClient.join(base, 'history', 'ann')
    for (const text of ['one', 'two', 'three', 'four']) ann.say(text)
    await ann.waitFor((m) => m.type === 'message' && m.text === 'four', 'the fourth message')
    const bob = await ChatClient.join(base, 'history', 'bob')
    expect(bob.messages[0]).toMatchObject({
      type: 'welcome',
      room: 'history',
      nick: 'bob',
      members: 2,
      history: [
        { type: 'message', nick: 'ann', text: 'two' },
        { type: 'message', nick: 'ann', text: 'three' },
        { type: 'message', nick: 'ann', text: 'four' },
      ],
    })
    expect(await ann.waitFor((m) => m.type === 'join', 'the join notice')).toEqual({
      type: 'join',
      nick: 'bob',
      members: 2,
    })
    await Promise.all([ann.close(), bob.close()])
  })
})

describe('examples/chat tryIt lines (npm run example -- chat)', () => {
  it('answers each curl line: the page with 200, the refused handshake with 422', async () => {
    const app = buildApp()
    const { url } = await app.listen({ port: 0, signals: false })
    try {
      const run = promisify(execFile)
      const outputs = []
      for (const line of withUrl(tryIt, url.replace(/\/$/, ''))) {
        outputs.push((await run('sh', ['-c', line], { timeout: 10_000 })).stdout)
      }
      expect(outputs[0]).toMatch(/^HTTP\/1\.1 200 OK/)
      expect(outputs[1]).toMatch(/^HTTP\/1\.1 422 Unprocessable Entity\r\n/)
      expect(outputs[1]).toContain('"code":"ERR_VALIDATION"')
    } finally {
      await app.close()
    }
  })
})

describe('examples/chat with maxRooms: 2', () => {
  let app: App
  let base = ''
  let port = 0

  beforeAll(async () => {
    app = buildApp({ maxRooms: 2 })
    ;({ url: base, port } = await app.listen({ port: 0, signals: false }))
    base = base.replace(/\/$/, '')
  })
  afterAll(() => app.close())

  it('refuses a third room with 503 while both rooms have members, and accepts it once one is empty', async () => {
    const a = await ChatClient.join(base, 'a', 'ann')
    const b = await ChatClient.join(base, 'b', 'bob')
    expect((await refusal(port, '/ws/c?nick=cat')).body).toMatchObject({
      status: 503,
      code: 'ERR_SERVICE_UNAVAILABLE',
      message: 'too many rooms open; try an existing room',
    })
    const inA = await ChatClient.join(base, 'a', 'amy') // an existing room is always fine
    await Promise.all([a.close(), inA.close()])
    const c = await retryJoin(base, 'c', 'cat')
    expect(c.messages[0]).toMatchObject({ type: 'welcome', room: 'c', members: 1 })
    await Promise.all([b.close(), c.close()])
  })
})

/** Joins, retrying for up to ~5 s while the server has not yet seen the other sockets close. */
async function retryJoin(base: string, room: string, nick: string): Promise<ChatClient> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ChatClient.join(base, room, nick)
    } catch (err) {
      if (attempt === 50) throw err
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}
