import { afterEach, describe, expect, it } from 'vitest'
import { lazyImport, lazyRequire } from '../src/lazy.js'
import { FixtureProcess, type ChildLine } from './integration/helpers/child.js'

/** The optional dependencies src/lazy.ts loaders keep out of startup (sorted, as the report is). */
const LAZY_PACKAGES = [
  'busboy',
  'compressible',
  'content-disposition',
  'jose',
  'mime-types',
  'negotiator',
  'piscina',
  'prom-client',
  'range-parser',
]

interface Report {
  mode: string
  results: Record<string, Record<string, unknown>>
  loaded: string[]
}

describe('optional dependencies, in a fresh process', () => {
  let child: FixtureProcess | undefined
  afterEach(() => child?.stop())

  async function run(mode: 'bare' | 'features'): Promise<Report> {
    child = new FixtureProcess('lazy-deps-app.ts', [mode])
    const line = await child.waitForLine((l: ChildLine) => 'report' in l, 20_000)
    expect(await child.waitForExit(10_000)).toEqual({ code: 0, signal: null })
    return line.report as Report
  }

  it('loads none of them for an app with logger: false that serves a route', async () => {
    const report = await run('bare')
    expect(report.results.hello).toEqual({ status: 200, body: { hello: 'world' } })
    expect(report.results.logEnabled).toBe(false)
    expect(report.loaded.filter((name) => LAZY_PACKAGES.includes(name))).toEqual([])
  })

  it('loads each one when its feature is used, and the features work', async () => {
    const { results, loaded } = await run('features')
    expect(results.big).toEqual({ status: 200, encoding: 'gzip', whole: true })
    expect(results.static).toEqual({
      status: 200,
      'content-type': 'text/plain; charset=utf-8',
      body: 'hello static world',
    })
    expect(results.range).toEqual({ status: 206, 'content-range': 'bytes 0-4/18', body: 'hello' })
    expect(results.download).toEqual({
      status: 200,
      'content-type': 'text/plain; charset=utf-8',
      'content-disposition': `attachment; filename="resume.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9.txt`,
      body: 'abc',
    })
    expect(results.upload).toEqual({ status: 200, body: JSON.stringify({ fields: { name: 'swift' } }) })
    expect(results.me).toEqual({ status: 200, body: JSON.stringify({ user: 'u1' }) })
    expect(results.double).toEqual({ status: 200, body: '42' })
    expect(results.metrics).toEqual({ status: 200, counted: true })
    expect(loaded.filter((name) => LAZY_PACKAGES.includes(name))).toEqual(LAZY_PACKAGES)
  })
})

describe('lazyRequire()', () => {
  it('loads the package on the first call and returns the same module after', () => {
    const load = lazyRequire<{ parse: (s: string) => unknown }>('secure-json-parse')
    const first = load()
    expect(first.parse('{"a":1}')).toEqual({ a: 1 })
    expect(load()).toBe(first)
  })

  it('throws MODULE_NOT_FOUND for a missing package, on every call', () => {
    const load = lazyRequire('swiftlet-no-such-package')
    expect(load).toThrow(expect.objectContaining({ code: 'MODULE_NOT_FOUND' }))
    expect(load).toThrow(expect.objectContaining({ code: 'MODULE_NOT_FOUND' }))
  })
})

describe('lazyImport()', () => {
  it('imports once and shares the promise', async () => {
    let imports = 0
    const load = lazyImport(() => {
      imports++
      return import('node:path')
    })
    const [a, b] = await Promise.all([load(), load()])
    expect(a).toBe(b)
    expect(typeof a.join).toBe('function')
    await load()
    expect(imports).toBe(1)
  })

  it('forgets a failed import so the next call retries', async () => {
    let attempts = 0
    const load = lazyImport(async () => {
      attempts++
      if (attempts === 1) throw new Error('first attempt fails')
      return 'loaded'
    })
    await expect(load()).rejects.toThrow('first attempt fails')
    await expect(load()).resolves.toBe('loaded')
    expect(attempts).toBe(2)
  })
})
