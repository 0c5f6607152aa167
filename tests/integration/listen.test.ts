import { afterEach, describe, expect, it } from 'vitest'
import { createApp, ERR, type App } from '../../src/index.js'
import { onlyResponse } from './helpers/http-parse.js'
import { rawRequest } from './helpers/raw-socket.js'

describe('listen()', () => {
  const apps: App[] = []
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()))
  })

  function newApp(body: string): App {
    const app = createApp({ logger: false })
    app.get('/', () => body)
    apps.push(app)
    return app
  }

  it('rejects with ERR_LISTEN_FAILED and EADDRINUSE when the port is taken, instead of sharing it', async () => {
    const { port } = await newApp('first').listen({ port: 0, signals: false })
    const second = newApp('second').listen({ port, signals: false })
    await expect(second).rejects.toMatchObject({
      code: ERR.LISTEN_FAILED,
      message: expect.stringMatching(/EADDRINUSE/),
    })
    // Every request still reaches the first server.
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/`)
      expect(await res.text()).toBe('first')
    }
  })

  it('answers a raw non-ASCII byte in the path with 400 instead of garbling it', async () => {
    const { port } = await newApp('ok').listen({ port: 0, signals: false })
    const head = Buffer.concat([
      Buffer.from('GET /caf'),
      Buffer.from([0xc3, 0xa9]),
      Buffer.from(' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
    ])
    const res = onlyResponse((await rawRequest(port, head)).received)
    expect(res.status).toBe(400)
    expect(JSON.parse(res.body.toString())).toMatchObject({
      status: 400,
      message: expect.stringMatching(/ASCII/),
    })
  })
})
