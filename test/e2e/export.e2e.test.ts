/// <reference lib="dom" />
import { readFile } from 'node:fs/promises'
import { parse } from 'csv-parse/sync'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { collectPageErrors, launchChromium, screenshot } from './browser'
import { cleanServe, startServe, type Served } from './serve'

// "Export CSV" in browser mode: a plain download link to the server's streamed /export route,
// authorised by the token cookie; the page never names a path.
describe('the CSV download in Chromium over npm run serve', () => {
  let served: Served
  let browser: Browser
  let page: Page
  let errors: string[]

  beforeAll(async () => {
    served = await startServe({ args: ['--symbols', 'AAPL,IC MARKETS:1'] })
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true })
    errors = collectPageErrors(page)
  })

  afterAll(async () => {
    await browser?.close()
    if (!served) return
    await served.stop()
    await cleanServe(served)
  })

  it('downloads the shown window of the subscribed symbols', async () => {
    await page.goto(served.url)
    await page.getByTestId('source-select').selectOption('demo')
    await page.getByTestId('start-stop').click()
    await expect
      .poll(() => page.getByTestId('pipeline-state').textContent(), { timeout: 60_000 })
      .toBe('running')
    await expect
      .poll(async () => Number(await page.getByTestId('status-rows').getAttribute('data-value')), {
        timeout: 60_000,
      })
      .toBeGreaterThan(20)
    await page.getByTestId('start-stop').click()
    await expect
      .poll(() => page.getByTestId('pipeline-state').textContent(), { timeout: 60_000 })
      .toBe('stopped')

    const link = page.getByTestId('export-trades')
    const href = (await link.getAttribute('href')) ?? ''
    expect(href).toMatch(/^\/export\/trades\.csv\?from=\d+&to=\d+&symbols=AAPL%2CIC\+MARKETS%3A1$/)
    expect(href).not.toContain('token')
    await screenshot(page, 'export-top-bar')

    const [download] = await Promise.all([page.waitForEvent('download'), link.click()])
    expect(download.suggestedFilename()).toMatch(/^tickflow-trades-\d{8}T\d{6}(\.\d{3})?Z-.*\.csv$/)
    const file = await download.path()
    const [header, ...rows] = parse(await readFile(file, 'utf8')) as string[][]
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
    const [header, ...rows] = parse(await readFile(await download.path(), 'utf8')) as string[][]
    expect(header?.slice(0, 2)).toEqual(['symbol', 'trades'])
    expect(rows.map((r) => r[0])).toContain('AAPL')
    await screenshot(page, 'export-panel')
  })

  it('logged no console errors', () => {
    expect(errors).toEqual([])
  })
})
