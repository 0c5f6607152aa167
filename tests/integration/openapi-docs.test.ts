import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openApiApp } from './fixtures/openapi-app.js'
import { waitUntil } from './helpers/server.js'
import { launchChromium } from './helpers/chromium.js'

describe('GET /docs (Swagger UI in headless Chromium)', () => {
  const { app, greeted } = openApiApp()
  let base = ''
  let browser: Browser
  const offSite: string[] = []

  beforeAll(async () => {
    base = (await app.listen({ port: 0, signals: false })).url
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await app.close()
  })

  it('renders every operation from local assets and executes a "try it out" call against the server', async () => {
    const page = await browser.newPage()
    // Offline: any request leaving the server under test fails the test.
    await page.route('**/*', (route) => {
      if (route.request().url().startsWith(base)) return route.continue()
      offSite.push(route.request().url())
      return route.abort()
    })
    await page.goto(`${base}/docs`)
    const operations = page.locator('.opblock')
    await operations.first().waitFor()
    expect(await operations.count()).toBe(4)
    expect(await page.locator('.opblock-summary-path').allInnerTexts()).toEqual(
      expect.arrayContaining(['/greet', '/items/{id}', '/items']),
    )

    const greet = page.locator('.opblock', { hasText: '/greet' })
    await greet.locator('.opblock-summary').click()
    await greet.locator('button.try-out__btn').click()
    await greet.locator('input[placeholder="name"]').fill('swagger')
    await greet.locator('button.execute').click()
    await waitUntil(() => greeted.includes('swagger'), 10_000, 'the try-it-out request')
    await greet.locator('.live-responses-table .response-col_status', { hasText: '200' }).waitFor()
    expect(offSite).toEqual([])
  })
})
