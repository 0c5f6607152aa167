/**
 * The figures of docs/deploy.md (not a test; loopback only, bounded in time):
 *
 *   npx tsx tests/integration/deploy/measure.ts nginx [seconds=6] [connections=50] [keepalive=128] [rounds=2]
 *     wrk on GET /whoami of one instance directly, then through nginx in front of two instances (the test's
 *     config), alternating; prints req/s, p50/p99 and the CPU µs per request of the instances and of nginx.
 *   npx tsx tests/integration/deploy/measure.ts redis
 *     RedisRateLimitStore.consume against a loopback redis-server: the sequential round trip, and consumes/s
 *     with 64 in flight with Redis's CPU per consume.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { Redis } from 'ioredis'
import { pino } from 'pino'
import { RedisRateLimitStore } from '../../../src/index.js'
import { FixtureProcess } from '../helpers/child.js'
import { startRedis } from '../helpers/redis.js'
import { startNginx } from './nginx.js'

const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString())

/** CPU seconds (user + system) of a process so far. */
function cpuSeconds(pid: number): number {
  const fields = (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ')
  return (Number(fields[11]) + Number(fields[12])) / TICKS
}

/** PIDs of the processes listening on a loopback port (nginx: master and worker). */
function listeners(port: number): number[] {
  const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`]).toString()
  return [...new Set([...out.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])))]
}

function wrk(url: string, seconds: number, connections: number): Record<string, string | number> {
  const run = spawnSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url], {
    encoding: 'utf8',
  })
  const pick = (re: RegExp): string => re.exec(run.stdout)?.[1] ?? '?'
  return {
    rps: Number(pick(/Requests\/sec:\s+([\d.]+)/)),
    total: Number(pick(/(\d+) requests in/)),
    p50: pick(/50%\s+(\S+)/),
    p99: pick(/99%\s+(\S+)/),
    non2xx: pick(/Non-2xx or 3xx responses: (\d+)/) === '?' ? 0 : pick(/Non-2xx or 3xx responses: (\d+)/),
  }
}

async function instance(name: string): Promise<{ fixture: FixtureProcess; port: number; pid: number }> {
  const fixture = new FixtureProcess('deploy-instance.ts', [name])
  const line = await fixture.waitForLine((l) => l.event === 'listening', 20_000)
  const port = Number(line.port)
  return { fixture, port, pid: listeners(port)[0] ?? 0 }
}

async function measureNginx(args: number[]): Promise<void> {
  const [seconds = 6, connections = 50, keepalive = 128, rounds = 2] = args
  const one = await instance('one')
  const two = await instance('two')
  const nginx = await startNginx([one.port, two.port], keepalive)
  const nginxPids = listeners(nginx.port)
  const sum = (pids: number[]): number => pids.reduce((total, pid) => total + cpuSeconds(pid), 0)
  console.log(`uptime: ${execFileSync('uptime').toString().trim()}; keepalive ${keepalive}`)
  try {
    for (let round = 1; round <= rounds; round++) {
      let before = cpuSeconds(one.pid)
      const direct = wrk(`http://127.0.0.1:${one.port}/whoami`, seconds, connections)
      const directUs = ((cpuSeconds(one.pid) - before) * 1e6) / Number(direct.total)
      console.log(JSON.stringify({ round, via: 'direct, 1 instance', ...direct, appUs: directUs.toFixed(1) }))
      before = cpuSeconds(one.pid) + cpuSeconds(two.pid)
      const nginxBefore = sum(nginxPids)
      const proxied = wrk(`${nginx.url}/whoami`, seconds, connections)
      const appUs = ((cpuSeconds(one.pid) + cpuSeconds(two.pid) - before) * 1e6) / Number(proxied.total)
      const nginxUs = ((sum(nginxPids) - nginxBefore) * 1e6) / Number(proxied.total)
      console.log(
        JSON.stringify({
          round,
          via: 'nginx, 2 instances',
          ...proxied,
          appUs: appUs.toFixed(1),
          nginxUs: nginxUs.toFixed(1),
        }),
      )
    }
  } finally {
    await nginx.stop()
    await Promise.all([one.fixture.stop(), two.fixture.stop()])
  }
}

async function measureRedis(): Promise<void> {
  const redis = await startRedis()
  const pid = listeners(redis.port)[0] ?? 0
  const client = new Redis(redis.url)
  const store = new RedisRateLimitStore(client, { logger: pino({ level: 'silent' }) })
  const policy = { capacity: 1e9, refillMs: 60_000 }
  try {
    for (let i = 0; i < 2000; i++) await store.consume(`warm${i % 100}`, 1, policy)
    console.log(`uptime: ${execFileSync('uptime').toString().trim()}`)
    const sequential = 5000
    let start = performance.now()
    for (let i = 0; i < sequential; i++) await store.consume(`k${i % 1000}`, 1, policy)
    console.log(
      `sequential: ${(((performance.now() - start) * 1000) / sequential).toFixed(1)} µs per consume`,
    )
    const total = 50_000
    let next = 0
    const cpuBefore = cpuSeconds(pid)
    start = performance.now()
    const worker = async (): Promise<void> => {
      while (next < total) await store.consume(`k${next++ % 10_000}`, 1, policy)
    }
    await Promise.all(Array.from({ length: 64 }, worker))
    const rate = total / ((performance.now() - start) / 1000)
    const redisUs = ((cpuSeconds(pid) - cpuBefore) * 1e6) / total
    console.log(
      `64 in flight: ${rate.toFixed(0)} consumes/s, redis-server CPU ${redisUs.toFixed(1)} µs per consume`,
    )
  } finally {
    client.disconnect()
    await redis.stop()
  }
}

const [mode, ...rest] = process.argv.slice(2)
if (mode === 'nginx') await measureNginx(rest.map(Number))
else if (mode === 'redis') await measureRedis()
else console.log('usage: measure.ts nginx [seconds] [connections] [keepalive] [rounds] | measure.ts redis')
