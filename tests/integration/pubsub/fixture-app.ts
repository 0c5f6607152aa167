/**
 * Fixture for the child-process broker test: an app on a RedisBroker (URL in argv[2]) with a topic route
 * and an HTTP publish route, shutting down gracefully on SIGTERM. Logs JSON lines to stdout.
 */
import { createApp, RedisBroker } from '../../../src/index.js'

const app = createApp({
  broker: new RedisBroker({ url: process.argv[2], redis: { connectionName: 'swiftlet-child' } }),
})
app.ws('/topic/:name', {
  open: (ws) => {
    ws.subscribe(ws.params.name)
    ws.send('ready')
  },
})
app.post('/publish/:topic', async (ctx) => ({ ok: app.publish(ctx.params.topic, await ctx.req.text()) }))
await app.listen({ port: 0 })
