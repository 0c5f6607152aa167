import { rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parse as parseDisposition } from 'content-disposition'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildUploadApp } from '../../../examples/upload/app.js'
import type { App } from '../../../src/index.js'
import { launchChromium } from '../helpers/chromium.js'

describe('examples/upload in headless Chromium', () => {
  let app: App
  let dir = ''
  let base = ''
  let browser: Browser

  beforeAll(async () => {
    ;({ app, dir } = buildUploadApp({ logger: false }))
    base = (await app.listen({ port: 0, signals: false })).url
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
    await app?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('uploads a chosen file with a progress bar reaching 100 %, then lists it with a working download link', async () => {
    const page = await browser.newPage()
    const content = Buffer.alloc(16 * 1024 * 1024, 'swiftlet ')
    const name = 'Отчёт 2026 ✓.txt'
    await page.goto(base)
    // Record every progress value the page shows, and every upload progress event the browser fires.
    await page.evaluate(`
      window.seen = []
      window.fractions = []
      const send = XMLHttpRequest.prototype.send
      XMLHttpRequest.prototype.send = function (body) {
        this.upload.addEventListener('progress', (e) => window.fractions.push(e.loaded / e.total))
        send.call(this, body)
      }
      const percent = document.getElementById('percent')
      new MutationObserver(() => window.seen.push(percent.textContent)).observe(percent, {
        childList: true,
        characterData: true,
        subtree: true,
      })
    `)
    // A file on disk: Chromium reads it itself (a buffer would travel base64-encoded over the protocol).
    const chosen = path.join(dir, name)
    await writeFile(chosen, content)
    await page.setInputFiles('#files', chosen)
    await page.click('button[type=submit]')
    await page.waitForSelector('#status[data-state=done]', { timeout: 20_000 })
    expect(await page.textContent('#percent')).toBe('100%')
    expect(await page.evaluate<number>(`document.getElementById('bar').value`)).toBe(100)
    const seen = await page.evaluate<string[]>('window.seen')
    expect(seen.at(-1)).toBe('100%')
    const fractions = await page.evaluate<number[]>('window.fractions')
    expect(fractions.length).toBeGreaterThan(0)
    expect(fractions.at(-1)).toBe(1)
    const link = page.locator('#list a', { hasText: name })
    await expect(link.count()).resolves.toBe(1)
    expect(await page.textContent('#list')).toContain(`(${content.length} bytes)`)
    // The link downloads the same bytes under the original name.
    const href = (await link.getAttribute('href')) ?? ''
    const res = await fetch(new URL(href, base))
    expect(res.status).toBe(200)
    expect(parseDisposition(res.headers.get('content-disposition') ?? '').parameters.filename).toBe(name)
    expect(Buffer.from(await res.arrayBuffer()).equals(content)).toBe(true)
    await page.close()
  }, 60_000)

  it('shows the 413 message when a file is over the limit of files per upload', async () => {
    const page = await browser.newPage()
    await page.goto(base)
    const files = Array.from({ length: 6 }, (_, i) => ({
      name: `f${i}.txt`,
      mimeType: 'text/plain',
      buffer: Buffer.from(`file ${i}`),
    }))
    await page.setInputFiles('#files', files)
    await page.click('button[type=submit]')
    await page.waitForSelector('#status[data-state=failed]', { timeout: 20_000 })
    expect(await page.textContent('#status')).toBe('Upload failed: too many files: limit files is 5')
    await page.close()
  })
})
