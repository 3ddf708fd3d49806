import { chromium, type Browser, type LaunchOptions, type Page } from 'playwright-core'

// Shared by the e2e tests and the bench's ui phase (dev/README.md).

/** Debian's chromium (apt), which .ci/run installs; CHROMIUM_PATH points elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export const CHROMIUM_LAUNCH: LaunchOptions = {
  executablePath: CHROMIUM,
  headless: true,
  // CI runs as root, where Chromium's sandbox refuses to start.
  args: ['--no-sandbox'],
}

/** Chromium in this process's hands (the bench's); the tests use startChromium (test/e2e/browser.ts). */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch(CHROMIUM_LAUNCH)
}

/** Console errors and uncaught exceptions of a page, each with where it came from. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()} (${msg.location().url})`)
  })
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`))
  return errors
}
