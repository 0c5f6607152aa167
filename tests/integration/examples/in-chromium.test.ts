/**
 * examples/chat and examples/sse-dashboard driven in headless Chromium (Debian's /usr/bin/chromium through
 * playwright-core), each page in its own browser context, as separate users would be. Nothing may load
 * from anywhere but the server under test, and no page may log an error.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp as buildChat } from '../../../examples/chat/app.js'
import { buildApp as buildDashboard } from '../../../examples/sse-dashboard/app.js'
import type { App } from '../../../src/index.js'
import { captureLogs } from '../helpers/server.js'
import { launchChromium } from '../helpers/chromium.js'

const WAIT = { timeout: 10_000 }
/** The machine is shared and Chromium is heavy: bounds that catch a hang, not a slow page. */
const TEST_TIMEOUT = 90_000

let browser: Browser
const contexts: BrowserContext[] = []
/** Requests that left the server under test, and page errors (CSP violations show up as console errors). */
const problems: string[] = []

beforeAll(async () => {
  browser = await launchChromium()
}, TEST_TIMEOUT)
afterAll(async () => {
  await browser?.close()
})

/** A page in a fresh context (its own cookies and storage: another user), confined to `base`. */
async function newPage(base: string): Promise<Page> {
  const context = await browser.newContext()
  contexts.push(context)
  const page = await context.newPage()
  await page.route('**/*', (route) => {
    if (route.request().url().startsWith(base)) return route.continue()
    problems.push(`off-site request: ${route.request().url()}`)
    return route.abort()
  })
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`)
  })
  return page
}

describe('examples/chat in Chromium', () => {
  let app: App
  let base = ''

  beforeAll(async () => {
    app = buildChat()
    base = (await app.listen({ port: 0, signals: false })).url.replace(/\/$/, '')
  })
  afterAll(async () => {
    for (const context of contexts.splice(0)) await context.close()
    await app.close()
  })

  async function join(nick: string, room: string): Promise<Page> {
    const page = await newPage(base)
    await page.goto(`${base}/`)
    await page.fill('#nick', nick)
    await page.fill('#room', room)
    await page.click('#join')
    await page.locator('#log li.notice', { hasText: `you joined as ${nick}` }).waitFor(WAIT)
    return page
  }

  async function say(page: Page, text: string): Promise<void> {
    await page.fill('#text', text)
    await page.click('#send')
  }

  /** The log's chat lines as "nick: text" (notices left out). */
  const lines = (page: Page): Promise<string[]> =>
    page.$$eval('#log li:not(.notice)', (items) =>
      items.map(
        (li) => `${li.querySelector('.nick')?.textContent}: ${li.querySelector('.text')?.textContent}`,
      ),
    )

  it(
    "two pages in one room see each other's messages, markup shown as text; another room sees none",
    async () => {
      const alice = await join('alice', 'lobby')
      const bob = await join('bob', 'lobby')
      const carol = await join('carol', 'other')
      await alice.locator('#log li.notice', { hasText: 'bob joined' }).waitFor(WAIT)
      expect(await alice.textContent('#members')).toBe('2')
      expect(await bob.textContent('#members')).toBe('2')
      expect(await carol.textContent('#members')).toBe('1')

      const hostile = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> hi bob'
      await say(alice, hostile)
      await say(bob, 'hello alice')
      for (const page of [alice, bob]) {
        await page.locator('#log li .text', { hasText: 'hello alice' }).waitFor(WAIT)
        await page.locator('#log li .text', { hasText: 'hi bob' }).waitFor(WAIT)
        expect(await lines(page)).toEqual([`alice: ${hostile}`, 'bob: hello alice'])
        // Shown, not run: no element was made from the text, and neither script nor handler ran.
        expect(await page.locator('#log script, #log img').count()).toBe(0)
        expect(await page.evaluate('typeof window.pwned')).toBe('undefined')
      }

      // Carol's own message arrives after the lobby's two were published: by then she would have had them.
      await say(carol, 'anyone here?')
      await carol.locator('#log li .text', { hasText: 'anyone here?' }).waitFor(WAIT)
      expect(await lines(carol)).toEqual(['carol: anyone here?'])
      expect(await lines(alice)).not.toContain('carol: anyone here?')

      // A newcomer gets the room's history; a page that closes is announced and no longer counted.
      const dave = await join('dave', 'lobby')
      expect(await lines(dave)).toEqual([`alice: ${hostile}`, 'bob: hello alice'])
      expect(await dave.textContent('#members')).toBe('3')
      await bob.close()
      await alice.locator('#log li.notice', { hasText: 'bob left' }).waitFor(WAIT)
      await expect.poll(() => alice.textContent('#members'), WAIT).toBe('2')
      expect(problems).toEqual([])
    },
    TEST_TIMEOUT,
  )

  it(
    'shows why a join failed when the nickname is refused, and stays on the join form',
    async () => {
      const page = await newPage(base)
      await page.goto(`${base}/`)
      await page.fill('#nick', '<b>x</b>')
      await page.click('#join')
      await page.locator('#status', { hasText: 'could not join' }).waitFor(WAIT)
      expect(await page.isVisible('#join-form')).toBe(true)
      expect(await page.isHidden('#chat')).toBe(true)
      // The browser reports the refused handshake (a 422) on the console itself; nothing else went wrong.
      const others = problems.splice(0).filter((p) => !/WebSocket connection to .* failed/.test(p))
      expect(others).toEqual([])
    },
    TEST_TIMEOUT,
  )
})

describe('examples/sse-dashboard in Chromium', () => {
  const logs = captureLogs()
  let app: App
  let base = ''

  beforeAll(async () => {
    // Samples every second as in production; streams end after 2.5 s so the page reconnects during the test.
    app = buildDashboard({ logger: logs.logger, maxStreamMs: 2500, retryMs: 300 })
    base = (await app.listen({ port: 0, signals: false })).url.replace(/\/$/, '')
  })
  afterAll(async () => {
    for (const context of contexts.splice(0)) await context.close()
    await app.close()
  })

  it(
    'updates its numbers within a few seconds and resumes with Last-Event-ID after a reconnect',
    async () => {
      const page = await newPage(base)
      await page.goto(`${base}/`)
      await expect.poll(() => page.textContent('#sample-id'), WAIT).toMatch(/^\d+$/)
      const first = { id: await page.textContent('#sample-id'), walk: await page.textContent('#walk') }
      expect(Number(await page.textContent('#rssMb'))).toBeGreaterThan(0)
      await expect.poll(() => page.textContent('#sample-id'), WAIT).not.toBe(first.id)
      await expect.poll(() => page.textContent('#walk'), WAIT).not.toBe(first.walk)

      // The server ends the stream after 2.5 s; EventSource reconnects with the last id it saw.
      await expect.poll(() => page.textContent('#connects'), WAIT).toBe('2')
      const resumed = /^after sample (\d+) \((\d+) replayed\)$/.exec(
        (await page.textContent('#resumed')) ?? '',
      )
      expect(resumed, 'the page shows the resume').not.toBeNull()
      const resumedAfter = resumed?.[1] ?? ''
      // What the server received: no Last-Event-ID the first time, the last sample's id the second.
      const connected = logs.lines.filter((line) => line.msg === 'dashboard connected')
      expect(connected.slice(0, 2).map((line) => line.lastEventId)).toEqual([null, resumedAfter])
      // The numbering carries on without a hole, and keeps moving.
      const afterResume = Number(await page.textContent('#sample-id'))
      await expect
        .poll(async () => Number(await page.textContent('#sample-id')), WAIT)
        .toBeGreaterThan(afterResume)
      expect(await page.textContent('#missed')).toBe('0')
      expect(problems).toEqual([])
    },
    TEST_TIMEOUT,
  )
})
