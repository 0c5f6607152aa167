import { afterEach, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../../src/index.js'
import { hasResponses, onlyResponse } from '../helpers/http-parse.js'
import { rawRequest } from '../helpers/raw-socket.js'
import { get, within } from '../helpers/server.js'

describe.each(['uws', 'node'] as const)(
  'app.close() started by the request itself on the %s core',
  (core) => {
    let app: App | undefined

    afterEach(async () => {
      await app?.close()
      app = undefined
    })

    it('delivers that request’s whole response before the connections close', async () => {
      app = createApp({ logger: false })
      const closing: Array<Promise<void>> = []
      app.get('/admin/shutdown', (ctx) => {
        // An admin route (or an error listener) that starts the shutdown while its own answer is pending.
        closing.push((ctx.state.app as App).close())
        return { stopping: true }
      })
      app.use((ctx, next) => {
        ctx.state.app = app
        return next()
      })
      const { port } = await app.listen({ port: 0, signals: false, core })
      const result = await rawRequest(port, get('/admin/shutdown'), { until: hasResponses(1) })
      const res = onlyResponse(result.received, { closed: result.ended === 'closed' })
      expect(res.status).toBe(200)
      expect(JSON.parse(res.body.toString())).toEqual({ stopping: true })
      expect(res.get('connection')).toBe('close')
      await within(Promise.all(closing), 5000, 'app.close()')
    })
  },
)
