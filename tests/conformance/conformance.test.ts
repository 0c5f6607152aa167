/**
 * The conformance suite: every case of cases.ts against every core (uWS, node:http, node:https, node:http2
 * and inject), with the differences each core is allowed spelled out in the table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { conformanceApp } from './app.js'
import { CASES, type ConformanceCase, type Expected, type HeaderExpectation } from './cases.js'
import { startTarget, type CaseResponse, type CoreName, type Target } from './targets.js'

const CORES: Array<{ name: CoreName; core: string }> = [
  { name: 'uws', core: 'uWebSockets.js native' },
  { name: 'node', core: 'node:http' },
  { name: 'https', core: 'node:https' },
  { name: 'http2', core: 'node:http2' },
  { name: 'inject', core: 'inject' },
]

/** Headers an HTTP/2 response must never carry (RFC 9113 §8.2.2). */
const CONNECTION_SPECIFIC = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']

function expectedFor(testCase: ConformanceCase, core: CoreName): Expected {
  const difference = testCase.except?.[core]?.expect
  if (!difference) return testCase.expect
  return {
    ...testCase.expect,
    ...difference,
    headers: { ...testCase.expect.headers, ...difference.headers },
  }
}

function checkHeader(actual: string | string[] | undefined, expected: HeaderExpectation, name: string): void {
  if (expected === null) expect(actual, `header ${name}`).toBeUndefined()
  else if (expected instanceof RegExp) expect(String(actual), `header ${name}`).toMatch(expected)
  else expect(actual, `header ${name}`).toEqual(expected)
}

function check(res: CaseResponse, expected: Expected): void {
  expect(res.status).toBe(expected.status)
  for (const [name, value] of Object.entries(expected.headers ?? {}))
    checkHeader(res.headers[name], value, name)
  if (expected.text !== undefined) expect(res.body.toString('utf8')).toBe(expected.text)
  if (expected.json !== undefined)
    expect(JSON.parse(res.body.toString('utf8'))).toMatchObject(expected.json as object)
  if (expected.bytes !== undefined) expect(res.body.length).toBe(expected.bytes)
}

describe.each(CORES)('conformance on the $name core', ({ name, core }) => {
  let target: Target

  beforeAll(async () => {
    target = await startTarget(name, conformanceApp())
    expect(target.core).toBe(core)
  })

  afterAll(() => target.close())

  it.each(CASES)('$name', async (testCase) => {
    const res = await target.send(testCase.request)
    check(res, expectedFor(testCase, name))
    if (name === 'http2') {
      for (const header of CONNECTION_SPECIFIC) expect(res.headers[header], header).toBeUndefined()
    }
  })
})
