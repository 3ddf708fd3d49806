/// <reference lib="dom" />
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import type { Download, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { collectPageErrors } from '../../dev/chromium'
import {
  ARTIFACTS,
  PIPELINE_TIMEOUT_MS,
  screenshot,
  skipAfterFailure,
  startChromium,
  type Chromium,
} from './browser'
import { cleanServe, killServes, startServe, type Served } from './serve'

/** The downloaded file's text, kept with the run's artifacts (the browser runs as a server). */
async function downloaded(download: Download, name: string): Promise<string> {
  const file = join(ARTIFACTS, name)
  await download.saveAs(file)
  return readFile(file, 'utf8')
}

// "Export CSV" in browser mode: a plain download link to the server's streamed /export route,
// authorised by the token cookie; the page never names a path.
// A SEQUENCE: the panel's download needs the run the first test recorded and stopped, and the last
// test checks the whole page's console. Once a step fails, the rest are skipped.
describe.sequential('the CSV download in Chromium over npm run serve', () => {
  let served: Served
  let chrome: Chromium
  let page: Page
  let errors: string[]
  skipAfterFailure()

  beforeAll(async () => {
    served = await startServe({ args: ['--symbols', 'AAPL,IC MARKETS:1'] })
    chrome = await startChromium()
    page = await chrome.browser.newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true })
    errors = collectPageErrors(page)
  })

  afterAll(async () => {
    // Whatever failed above, Chromium and every server this file started are stopped by pid.
    try {
      if (chrome) await chrome.close()
    } finally {
      if (served) await served.stop()
      await killServes()
      if (served) await cleanServe(served)
    }
  })

  it('downloads the shown window of the subscribed symbols', async () => {
    await page.goto(served.url)
    await page.getByTestId('source-select').selectOption('demo')
    await page.getByTestId('start-stop').click()
    await expect
      .poll(() => page.getByTestId('pipeline-state').textContent(), { timeout: PIPELINE_TIMEOUT_MS })
      .toBe('running')
    await expect
      .poll(async () => Number(await page.getByTestId('status-rows').getAttribute('data-value')), {
        timeout: PIPELINE_TIMEOUT_MS,
      })
      .toBeGreaterThan(20)
    await page.getByTestId('start-stop').click()
    await expect
      .poll(() => page.getByTestId('pipeline-state').textContent(), { timeout: PIPELINE_TIMEOUT_MS })
      .toBe('stopped')

    const link = page.getByTestId('export-trades')
    const href = (await link.getAttribute('href')) ?? ''
    expect(href).toMatch(/^\/export\/trades\.csv\?from=\d+&to=\d+&symbols=AAPL%2CIC\+MARKETS%3A1$/)
    expect(href).not.toContain('token')
    await screenshot(page, 'export-top-bar')

    const [download] = await Promise.all([page.waitForEvent('download'), link.click()])
    expect(download.suggestedFilename()).toMatch(/^tickflow-trades-\d{8}T\d{6}(\.\d{3})?Z-.*\.csv$/)
    const [header, ...rows] = parse(await downloaded(download, 'trades.csv')) as string[][]
    expect(header).toEqual([
      'symbol',
      'price',
      'volume',
      'conditions',
      'traded_at',
      'received_at',
      'consumed_at',
      'written_at',
    ])
    expect(rows.length).toBeGreaterThan(0)
    // Only the subscribed symbols (the Demo's FX symbol trades rarely, so it may have none).
    expect(rows.map((r) => r[0])).toContain('AAPL')
    for (const r of rows) expect(['AAPL', 'IC MARKETS:1']).toContain(r[0])
    // The page is still the dashboard: a download does not navigate away.
    expect(await page.getByTestId('pipeline-state').textContent()).toBe('stopped')
  })

  it("downloads a panel's own table", async () => {
    expect(await page.getByTestId('panel-csv-consumer-lag').count()).toBe(0)
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('panel-csv-trade-count').click(),
    ])
    expect(download.suggestedFilename()).toMatch(/^tickflow-kpi-symbols-/)
    const [header, ...rows] = parse(await downloaded(download, 'kpi-symbols.csv')) as string[][]
    expect(header?.slice(0, 2)).toEqual(['symbol', 'trades'])
    expect(rows.map((r) => r[0])).toContain('AAPL')
    await screenshot(page, 'export-panel')
  })

  it('logged no console errors', () => {
    expect(errors).toEqual([])
  })
})
