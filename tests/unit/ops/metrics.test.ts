import { afterEach, describe, expect, it } from 'vitest'
import { createApp, HttpError, metrics, type App } from '../../../src/index.js'

/** The value of the sample `name{labels}` in a Prometheus text body, or undefined. */
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((entry) => entry.startsWith(`${name}{${labels}} `))
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1))
}

// Closing an app stops its event-loop delay histogram (a shutdown hook).
const apps: App[] = []
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

function usersApp(): App {
  const app = createApp({ logger: false })
  apps.push(app)
  metrics(app)
  app.get('/users/:id', (ctx) => ({ id: ctx.params.id }))
  app.get('/teapot', () => {
    throw new HttpError(418, 'short and stout')
  })
  return app
}

describe('metrics()', () => {
  it('counts requests by route pattern, method and status, in Prometheus text', async () => {
    const app = usersApp()
    await app.inject('/users/1')
    await app.inject('/users/2')
    await app.inject({ method: 'HEAD', url: '/users/3' })
    await app.inject('/teapot')
    await app.inject('/nowhere')
    const res = await app.inject('/metrics')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
    const body = res.body
    const total = 'swiftlet_http_requests_total'
    expect(sample(body, total, 'route="/users/:id",method="GET",status="200"')).toBe(2)
    expect(sample(body, total, 'route="/users/:id",method="HEAD",status="200"')).toBe(1)
    expect(sample(body, total, 'route="/teapot",method="GET",status="418"')).toBe(1)
    expect(sample(body, total, 'route="unmatched",method="GET",status="404"')).toBe(1)
    expect(body).not.toContain('/users/1')
  })

  it('has a latency histogram in seconds, in-flight requests and event-loop delay', async () => {
    const app = usersApp()
    await app.inject('/users/1')
    const body = (await app.inject('/metrics')).body
    const labels = 'route="/users/:id",method="GET",status="200"'
    expect(sample(body, 'swiftlet_http_request_duration_seconds_count', labels)).toBe(1)
    expect(sample(body, 'swiftlet_http_request_duration_seconds_bucket', `le="10",${labels}`)).toBe(1)
    expect(body).toContain('# TYPE swiftlet_http_request_duration_seconds histogram')
    // The scrape itself is in flight.
    expect(body).toMatch(/^swiftlet_http_requests_in_flight 1$/m)
    expect(body).toMatch(/^swiftlet_event_loop_delay_seconds\{quantile="0.99"\} [0-9.e-]+$/m)
    expect(body).toMatch(/^swiftlet_event_loop_delay_max_seconds [0-9.e-]+$/m)
  })

  it('keeps a registry per app: two apps never share counts', async () => {
    const first = usersApp()
    const second = usersApp()
    await first.inject('/users/1')
    await first.inject('/users/1')
    await second.inject('/users/1')
    const labels = 'route="/users/:id",method="GET",status="200"'
    expect(sample((await first.inject('/metrics')).body, 'swiftlet_http_requests_total', labels)).toBe(2)
    expect(sample((await second.inject('/metrics')).body, 'swiftlet_http_requests_total', labels)).toBe(1)
  })

  it('takes a path, a prefix and buckets, and hands back the registry for custom metrics', async () => {
    const app = createApp({ logger: false })
    apps.push(app)
    const { registry } = metrics(app, { path: '/internal/metrics', prefix: 'shop_', buckets: [0.1, 1] })
    app.get('/', () => 'home')
    await app.inject('/')
    registry.registerMetric(
      new (await import('prom-client')).Counter({ name: 'shop_orders_total', help: 'orders', registers: [] }),
    )
    const body = (await app.inject('/internal/metrics')).body
    expect(sample(body, 'shop_http_requests_total', 'route="/",method="GET",status="200"')).toBe(1)
    expect(body).toContain('shop_http_request_duration_seconds_bucket{le="0.1",route="/"')
    expect(body).toMatch(/^shop_orders_total 0$/m)
    expect((await app.inject('/metrics')).status).toBe(404)
  })
})
