import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { beforeEach } from 'vitest'
import { CHROMIUM_LAUNCH } from '../../dev/chromium'
import { killGroup } from './process-group'

/** Screenshots and downloads of the run, kept as artifacts. */
export const ARTIFACTS = join('test-results', 'e2e')

/*
 * How long a poll waits. vitest's default of 1 s is too short on a loaded 2-core machine, where a
 * render, a WebSocket round trip or a query can stall for seconds. A poll that passes returns as
 * soon as it does, so a generous limit costs nothing.
 */
/** The page reacts to a click, a load or a reload, or to the server going and coming back. */
export const UI_TIMEOUT_MS = 20_000
/** A change reaches the KPIs: the next snapshot ticks (one a second) and their queries. */
export const KPI_TIMEOUT_MS = 30_000
/** The pipeline starts (topic, consumer group) or stops (drain), or the first views fill. */
export const PIPELINE_TIMEOUT_MS = 60_000

export interface Chromium {
  browser: Browser
  /** Kills the browser's process group by pid, whatever state it is in, and disconnects. */
  close(): Promise<void>
}

/** Chromium for a test file, which its teardown stops by pid. */
export async function startChromium(): Promise<Chromium> {
  // A browser server rather than launch(): it hands out the process and so its pid.
  const server = await chromium.launchServer(CHROMIUM_LAUNCH)
  const proc = server.process()
  let browser: Browser | undefined
  const close = async (): Promise<void> => {
    await killGroup(proc)
    // The connection is gone with the browser; closing it only settles the client.
    await browser?.close().catch(() => undefined)
  }
  try {
    browser = await chromium.connect(server.wsEndpoint())
  } catch (err) {
    await close()
    throw err
  }
  return { browser, close }
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })
}

/**
 * For a describe whose tests are one story, each step starting where the last one left the page:
 * once a step fails, the later ones are skipped instead of failing for a reason not their own.
 */
export function skipAfterFailure(): void {
  let failed: string | null = null
  beforeEach((ctx) => {
    if (failed !== null) ctx.skip(`an earlier step failed: ${failed}`)
    ctx.onTestFailed(() => {
      failed = ctx.task.name
    })
  })
}
