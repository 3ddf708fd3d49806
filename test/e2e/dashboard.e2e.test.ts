/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { collectPageErrors, launchChromium, screenshot } from './browser'
import { cleanServe, startServe, type Served } from './serve'

// The dashboard as a user drives it: `npm run serve` on the real broker and PostgreSQL, the built
// renderer in Debian's Chromium. One server and page for the whole story, in order.
const VIEWS = [
  'avg-volume',
  'trades-per-second',
  'trade-count',
  'avg-price',
  'data-loss',
  'price-range',
  'volume-trend',
  'latency',
  'consumer-lag',
]

const attr = (page: Page, testId: string, name: string): Promise<string | null> =>
  page.getByTestId(testId).getAttribute(name)

/** Resolves once every panel's data-state is one of `states` (the page's CSP forbids sending code). */
async function waitForPanels(page: Page, what: string, states: string[], timeout = 60_000): Promise<void> {
  try {
    await page.waitForFunction(
      ({ ids, states }) =>
        ids.every((id) => {
          const el = document.querySelector(`[data-testid="panel-${id}"]`)
          return el !== null && states.includes(el.getAttribute('data-state') ?? '')
        }),
      { ids: VIEWS, states },
      { timeout, polling: 250 },
    )
  } catch (err) {
    const seen = await page.evaluate(
      (ids) =>
        ids.map((id) => {
          const el = document.querySelector(`[data-testid="panel-${id}"]`)
          return `${id}=${el?.getAttribute('data-state')}/${el?.getAttribute('data-updated')}`
        }),
      VIEWS,
    )
    throw new Error(`${what}: ${seen.join(' ')}`, { cause: err })
  }
}

describe('the dashboard in Chromium over npm run serve', () => {
  let served: Served
  let browser: Browser
  let page: Page
  let errors: string[]

  beforeAll(async () => {
    served = await startServe()
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    errors = collectPageErrors(page)
  })

  afterAll(async () => {
    await browser?.close()
    if (!served) return
    const code = await served.stop()
    await cleanServe(served)
    // Ctrl-C drains and exits 0.
    expect(code, served.output()).toBe(0)
  })

  it('refuses every request without the token', async () => {
    expect((await fetch(`${served.origin}/`)).status).toBe(401)
    expect((await fetch(`${served.origin}/?token=wrong`)).status).toBe(401)
    const { default: WebSocket } = await import('ws')
    const refused = (headers: Record<string, string>): Promise<number> =>
      new Promise((resolve) => {
        const ws = new WebSocket(`${served.origin.replace('http', 'ws')}/api`, { headers })
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
        ws.on('open', () => resolve(101))
        ws.on('error', () => resolve(-1))
      })
    expect(await refused({})).toBe(401)
    // The right token from a page of another origin is still refused.
    expect(await refused({ Cookie: `tickflow_token=${served.token}`, Origin: 'http://evil.example' })).toBe(
      403,
    )
  })

  it('opens on the stopped dashboard with every view empty', async () => {
    await page.goto(served.url)
    await expect.poll(() => page.getByTestId('pipeline-state').textContent()).toBe('stopped')
    await waitForPanels(page, 'panels empty', ['empty'])
    const symbols = await page
      .getByTestId('symbol-item')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-symbol')))
    expect(symbols).toEqual(['AAPL', 'AMZN', 'BINANCE:BTCUSDT', 'IC MARKETS:1'])
  })

  it('starts the Demo and fills all eight views and the lag view, which then change', async () => {
    await page.getByTestId('source-select').selectOption('demo')
    await page.getByTestId('start-stop').click()
    await expect
      .poll(() => page.getByTestId('pipeline-state').textContent(), { timeout: 60_000 })
      .toBe('running')
    await waitForPanels(page, 'every view ready', ['ready'])
    const before = await Promise.all(VIEWS.map((id) => attr(page, `panel-${id}`, 'data-updated')))
    await page.waitForFunction(
      ({ ids, before }) =>
        ids.every((id, i) => {
          const n = document.querySelector(`[data-testid="panel-${id}"]`)?.getAttribute('data-updated')
          return Number(n) > Number(before[i])
        }),
      { ids: VIEWS, before },
      { timeout: 30_000, polling: 250 },
    )
    expect(Number(await page.getByTestId('status-rows').getAttribute('data-value'))).toBeGreaterThan(0)
    await screenshot(page, '1-running')
  })

  it('adds a symbol while running and shows it in the views', async () => {
    // This run's window from here on: every bucket of it lies inside the run.
    await page.getByTestId('window-select').selectOption('run')
    await page.getByTestId('symbol-input').fill('MSFT')
    await page.getByTestId('symbol-add').click()
    await expect.poll(() => page.locator('[data-testid="symbol-item"][data-symbol="MSFT"]').count()).toBe(1)
    await expect
      .poll(async () => (await attr(page, 'panel-trade-count', 'data-symbols'))?.split('|') ?? [], {
        timeout: 30_000,
      })
      .toContain('MSFT')
    await expect.poll(() => attr(page, 'panel-data-loss', 'data-threshold')).toBe('5')
    // Duplicates are refused in words.
    await page.getByTestId('symbol-input').fill('MSFT')
    await page.getByTestId('symbol-add').click()
    await expect.poll(() => page.getByTestId('symbol-error').textContent()).toMatch(/already/)
  })

  it('moves the data-loss line when a symbol is removed, and its marks with the threshold', async () => {
    await page.locator('[data-testid="symbol-item"][data-symbol="AAPL"]').getByTestId('symbol-remove').click()
    await expect.poll(() => page.locator('[data-testid="symbol-item"][data-symbol="AAPL"]').count()).toBe(0)
    // symbols_subscribed follows the list until pinned, and the view redraws its line.
    await expect.poll(() => attr(page, 'panel-data-loss', 'data-threshold'), { timeout: 30_000 }).toBe('4')
    await expect.poll(() => page.getByTestId('threshold-symbols_subscribed').inputValue()).toBe('4')

    // Expecting more symbols than are subscribed: every window of the run falls short.
    await page.getByTestId('threshold-symbols_subscribed').fill('10')
    await page.getByTestId('threshold-save-symbols_subscribed').click()
    await expect.poll(() => page.getByTestId('symbols-subscribed-pin').isChecked()).toBe(true)
    await expect
      .poll(async () => Number(await attr(page, 'panel-data-loss', 'data-loss-windows')), { timeout: 30_000 })
      .toBeGreaterThan(0)
    await screenshot(page, '2-data-loss')
    // Lowering it to one: no window of the run falls short any more.
    await page.getByTestId('threshold-symbols_subscribed').fill('1')
    await page.getByTestId('threshold-save-symbols_subscribed').click()
    await expect
      .poll(async () => Number(await attr(page, 'panel-data-loss', 'data-loss-windows')), { timeout: 30_000 })
      .toBe(0)
  })

  it('stops, draining, and keeps its state across a page refresh', async () => {
    await page.getByTestId('start-stop').click()
    await expect
      .poll(() => page.getByTestId('pipeline-state').textContent(), { timeout: 60_000 })
      .toBe('stopped')
    await page.reload()
    await expect.poll(() => page.getByTestId('pipeline-state').textContent()).toBe('stopped')
    const symbols = await page
      .getByTestId('symbol-item')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-symbol')))
    expect(symbols).toEqual(['AMZN', 'BINANCE:BTCUSDT', 'IC MARKETS:1', 'MSFT'])
    expect(await page.getByTestId('window-select').inputValue()).toBe('run')
    expect(await page.getByTestId('threshold-symbols_subscribed').inputValue()).toBe('1')
    expect(await page.getByTestId('symbols-subscribed-pin').isChecked()).toBe(true)
    // The run's trades are still there to look at.
    await waitForPanels(page, 'the stopped run shown', ['ready'])
    await screenshot(page, '3-after-refresh')
  })

  it('shows "Reconnecting…" while the server restarts, then carries on', async () => {
    const before = errors.length
    expect(await served.stop(), served.output()).toBe(0)
    await expect.poll(() => page.getByTestId('connection-banner').count(), { timeout: 20_000 }).toBe(1)
    // Never a blank page: the charts stay while the server is away.
    expect(await page.getByTestId('panel-trade-count').count()).toBe(1)
    served = await startServe({ reuse: served })
    await expect.poll(() => page.getByTestId('connection-banner').count(), { timeout: 30_000 }).toBe(0)
    await expect.poll(() => page.getByTestId('pipeline-state').textContent()).toBe('stopped')
    // The stored trades are back (lag history is kept in memory, so it starts anew).
    await expect.poll(() => attr(page, 'panel-trade-count', 'data-state'), { timeout: 30_000 }).toBe('ready')
    // Chromium itself logs each refused reconnect attempt; anything else is the app's.
    const refused = /WebSocket connection to .* failed/
    errors.splice(before, errors.length - before, ...errors.slice(before).filter((e) => !refused.test(e)))
  })

  it('logged no console errors anywhere', () => {
    expect(errors).toEqual([])
  })
})
