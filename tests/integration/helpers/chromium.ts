/**
 * Headless Debian chromium (`/usr/bin/chromium`, installed by .ci/run) driven by playwright-core, for tests
 * of pages. A missing browser makes the launch, and so the test, fail: it never skips.
 */
import { chromium, type Browser } from 'playwright-core'

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/** Launches headless chromium with no network chatter of its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
}
