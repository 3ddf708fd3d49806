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
  UI_TIMEOUT_MS,
  type Chromium,
} from './browser'
import { cleanServe, killServes, startServe, type Served } from './serve'

/** The downloaded file, kept with the run's artifacts (the browser runs as a server). */
async function downloadedBytes(download: Download, name: string): Promise<Buffer> {
  const file = join(ARTIFACTS, name)
  await download.saveAs(file)
  return readFile(file)
}
const downloaded = async (download: Download, name: string): Promise<string> =>
  (await downloadedBytes(download, name)).toString('utf8')

/**
 * A PNG decoded by the page's Chromium: its size, and how much of it below `top` px (the header
 * strip) differs from its first pixel (the background).
 */
async function decodePng(
  page: Page,
  png: Buffer,
  top: number,
): Promise<{ width: number; height: number; ink: number }> {
  return page.evaluate(
    async ([b64, top]) => {
      const img = new Image()
      img.src = `data:image/png;base64,${b64}`
      await img.decode()
      const canvas = document.createElement('canvas')
      canvas.width = img.naturalWidth
      canvas.height = img.naturalHeight
      const ctx = canvas.getContext('2d')!
      ctx.drawImage(img, 0, 0)
      const px = ctx.getImageData(0, top, canvas.width, canvas.height - top).data
      let differ = 0
      for (let i = 0; i < px.length; i += 4)
        if (px[i] !== px[0] || px[i + 1] !== px[1] || px[i + 2] !== px[2] || px[i + 3] !== px[3]) differ++
      return { width: canvas.width, height: canvas.height, ink: differ / (px.length / 4) }
    },
    [png.toString('base64'), top] as const,
  )
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
/** The screen's pixel ratio the page runs at: the image must have as many pixels per CSS pixel. */
const PIXEL_RATIO = 2
/** The image's header strip (title and window; HEADER_PX in the renderer's state/chart-image.ts), in image pixels. */
const HEADER = 46 * PIXEL_RATIO

// "Export CSV" in browser mode: a plain download link to the server's streamed /export route,
// authorised by the token cookie; the page never names a path. Then a panel's chart image, as a
// download and on the clipboard (the page makes both itself in browser mode).
// A SEQUENCE: the panel's download needs the run the first test recorded and stopped, and the last
// test checks the whole page's console. Once a step fails, the rest are skipped.
describe.sequential('the CSV download in Chromium over npm run serve', () => {
  let served: Served
  let chrome: Chromium
  let page: Page
  let errors: string[]
  let hiDpi: Page
  let hiDpiErrors: string[] = []
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

  it('saves a panel as a PNG of its chart, titled, at the pixel ratio', async () => {
    // A page of its own at pixel ratio 2, opened now the run is stopped: the steps above keep
    // drawing at 1 (four times fewer pixels each tick on a loaded machine).
    hiDpi = await chrome.browser.newPage({
      viewport: { width: 1440, height: 900 },
      deviceScaleFactor: PIXEL_RATIO,
      acceptDownloads: true,
      // Copy writes the clipboard; the next step reads it back
      permissions: ['clipboard-read', 'clipboard-write'],
    })
    hiDpiErrors = collectPageErrors(hiDpi)
    await hiDpi.goto(served.url)
    // drawn: the chart has applied a snapshot's option
    await expect
      .poll(async () => Number(await hiDpi.getByTestId('panel-trade-count').getAttribute('data-updated')), {
        timeout: UI_TIMEOUT_MS,
      })
      .toBeGreaterThan(0)
    const chart = await hiDpi.getByTestId('panel-trade-count').locator('.echart').boundingBox()
    expect(chart).not.toBeNull()
    const [download] = await Promise.all([
      hiDpi.waitForEvent('download'),
      hiDpi.getByTestId('panel-png-trade-count').click(),
    ])
    expect(download.suggestedFilename()).toMatch(/^tickflow-trade-count-5m-\d{8}T\d{6}(\.\d{3})?Z\.png$/)
    const png = await downloadedBytes(download, 'panel-trade-count.png')
    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE)
    const image = await decodePng(hiDpi, png, HEADER)
    // the chart's pixels 1:1 (the canvas rounds), under a header strip of title and window
    expect(Math.abs(image.width - chart!.width * PIXEL_RATIO)).toBeLessThanOrEqual(2)
    expect(image.height).toBeGreaterThan(chart!.height * PIXEL_RATIO)
    // the chart on the panel's colour below the header: a blank or transparent one would be 0
    expect(image.ink).toBeGreaterThan(0.01)
  })

  it('copies a panel to the clipboard as an image', async () => {
    await hiDpi.getByTestId('panel-copy-avg-volume').click()
    await expect
      .poll(() => hiDpi.getByTestId('panel-image-done-avg-volume').textContent(), { timeout: UI_TIMEOUT_MS })
      .toBe('Copied')
    const b64 = await hiDpi.evaluate(async () => {
      const [item] = await navigator.clipboard.read()
      const blob = await item!.getType('image/png')
      const bytes = new Uint8Array(await blob.arrayBuffer())
      return btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(''))
    })
    const chart = await hiDpi.getByTestId('panel-avg-volume').locator('.echart').boundingBox()
    const image = await decodePng(hiDpi, Buffer.from(b64, 'base64'), HEADER)
    expect(Math.abs(image.width - chart!.width * PIXEL_RATIO)).toBeLessThanOrEqual(2)
    expect(image.ink).toBeGreaterThan(0.01)
  })

  it('logged no console errors', () => {
    expect(errors).toEqual([])
    expect(hiDpiErrors).toEqual([])
  })
})
