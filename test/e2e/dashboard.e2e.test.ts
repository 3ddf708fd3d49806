/// <reference lib="dom" />
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { collectPageErrors } from '../../dev/chromium'
import {
  KPI_TIMEOUT_MS,
  PIPELINE_TIMEOUT_MS,
  screenshot,
  skipAfterFailure,
  startChromium,
  UI_TIMEOUT_MS,
  type Chromium,
} from './browser'
import { cleanServe, killServes, startServe, type Served } from './serve'

// The dashboard as a user drives it: `npm run serve` on the real broker and PostgreSQL, the built
// renderer in Debian's Chromium.
const VIEWS = [
  'avg-volume',
  'trades-per-second',
  'trade-count',
  'avg-price',
  'data-loss',
  'price-range',
  'volume-trend',
  'candles',
  'latency',
  'consumer-lag',
]

/** What the page made of the browser's Notification API (recordNotifications). */
interface Recorded {
  title: string
  body: string | undefined
  at: number
}

/**
 * Runs in the page before its own code: the real Notification API stays in use, and each
 * notification made is recorded with its words and time (and kept, so the test can click it).
 * The context grants permission; until the page asks (requestPermission), it reads 'default', as a
 * browser that has not been asked yet would.
 */
function recordNotifications(): void {
  const Real = window.Notification
  const w = window as unknown as { recorded: Recorded[]; made: Notification[] }
  w.recorded = []
  w.made = []
  let asked = false
  class Recording extends Real {
    constructor(title: string, options?: NotificationOptions) {
      super(title, options)
      w.recorded.push({ title, body: options?.body, at: Date.now() })
      w.made.push(this)
    }
    static override get permission(): NotificationPermission {
      return asked ? Real.permission : 'default'
    }
    static override requestPermission(): Promise<NotificationPermission> {
      asked = true
      return Real.requestPermission()
    }
  }
  window.Notification = Recording
}

/** data_loss_window_s, as the dashboard starts with it. */
const LOSS_WINDOW_MS = 30_000

const attr = (page: Page, testId: string, name: string): Promise<string | null> =>
  page.getByTestId(testId).getAttribute(name)

/** Resolves once every panel's data-state is one of `states` (the page's CSP forbids sending code). */
async function waitForPanels(
  page: Page,
  what: string,
  states: string[],
  timeout = PIPELINE_TIMEOUT_MS,
): Promise<void> {
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

// A SEQUENCE, not independent tests: one server and one page for the whole story, and each step
// starts where the one before left them (running, MSFT added, AAPL removed, stopped…). Setting each
// up on its own would start the pipeline again for every step, minutes more on two cores. So the
// steps run in order, and once one fails the rest are skipped.
describe.sequential('the dashboard in Chromium over npm run serve', () => {
  let served: Served
  let chrome: Chromium
  let page: Page
  let errors: string[]
  skipAfterFailure()

  beforeAll(async () => {
    served = await startServe()
    chrome = await startChromium()
    page = await chrome.browser.newPage({
      viewport: { width: 1440, height: 900 },
      permissions: ['notifications'],
    })
    await page.addInitScript(recordNotifications)
    errors = collectPageErrors(page)
    // Every CSP violation becomes a console error, so the last step's check covers the whole run:
    // Chromium logs some (a blocked style attribute) but not all (zod's eval probe) by itself.
    await page.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (e) =>
        console.error(
          `CSP violation: ${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`,
        ),
      ),
    )
  })

  afterAll(async () => {
    // Whatever failed above, Chromium and every server this file started are stopped by pid.
    try {
      if (chrome) await chrome.close()
    } finally {
      const code = served ? await served.stop() : null
      await killServes()
      if (served) await cleanServe(served)
      // Ctrl-C drains and exits 0.
      if (served) expect(code, served.output()).toBe(0)
    }
  })

  it('refuses every request without the token', async () => {
    expect((await fetch(`${served.address}/`)).status).toBe(401)
    expect((await fetch(`${served.address}/?token=wrong`)).status).toBe(401)
    const { default: WebSocket } = await import('ws')
    const refused = (headers: Record<string, string>): Promise<number> =>
      new Promise((resolve) => {
        const ws = new WebSocket(`${served.address.replace('http', 'ws')}/api`, { headers })
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
    // On a name of its own under localhost, which Chromium resolves itself, and the cookie is that
    // host's alone: another server on 127.0.0.1 (another port, another user) never gets it.
    const host = new URL(page.url()).hostname
    expect(host).toMatch(/^tf-[0-9a-f]{12}\.localhost$/)
    expect(await page.context().cookies()).toEqual([
      expect.objectContaining({ name: 'tickflow_token', domain: host, httpOnly: true, sameSite: 'Strict' }),
    ])
    expect(await page.context().cookies(served.address)).toEqual([])
    await expect
      .poll(() => page.getByTestId('pipeline-state').textContent(), { timeout: UI_TIMEOUT_MS })
      .toBe('stopped')
    await waitForPanels(page, 'panels empty', ['empty'])
    const symbols = await page
      .getByTestId('symbol-item')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-symbol')))
    expect(symbols).toEqual(['AAPL', 'AMZN', 'BINANCE:BTCUSDT', 'IC MARKETS:1'])
  })

  it('asks for desktop notification permission on a click in the alerts list', async () => {
    await page.getByTestId('alerts-button').click()
    await page.getByTestId('alerts-notify').click()
    await expect
      .poll(() => page.getByTestId('alerts-notify-state').textContent(), { timeout: UI_TIMEOUT_MS })
      .toMatch(/notifications are on/)
    await page.getByTestId('alerts-button').click()
    expect(await page.getByTestId('alerts-list').count()).toBe(0)
  })

  it('picks a replay among the recordings the server lists, with no file dialog in the browser', async () => {
    await mkdir(join(served.dataDir, 'recordings'), { recursive: true })
    await writeFile(join(served.dataDir, 'recordings', 'e2e.jsonl'), '')
    await page.getByTestId('source-select').selectOption('replay')
    const recording = page.getByTestId('replay-recording')
    await expect
      .poll(() => recording.locator('option').allTextContents(), { timeout: UI_TIMEOUT_MS })
      .toEqual(['Choose a recording…', expect.stringMatching(/^e2e\.jsonl \(0 kB, /)])
    expect(await page.getByTestId('replay-choose').count()).toBe(0)
    await recording.selectOption('e2e.jsonl')
    await expect.poll(() => recording.inputValue(), { timeout: UI_TIMEOUT_MS }).toBe('e2e.jsonl')
    expect(await page.getByTestId('source-error').count()).toBe(0)
  })

  it('starts the Demo and fills all eight views, the candles and the lag view, which then change', async () => {
    await page.getByTestId('source-select').selectOption('demo')
    await page.getByTestId('start-stop').click()
    await expect
      .poll(() => page.getByTestId('pipeline-state').textContent(), { timeout: PIPELINE_TIMEOUT_MS })
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
      { timeout: KPI_TIMEOUT_MS, polling: 250 },
    )
    expect(Number(await page.getByTestId('status-rows').getAttribute('data-value'))).toBeGreaterThan(0)
    // A tooltip is HTML that ECharts sets as innerHTML; under the CSP (no 'unsafe-inline' styles) it
    // shows styled by classes, and reports no violation (checked with the console errors at the end).
    const chart = page.getByTestId('panel-trades-per-second').locator('canvas').first()
    const box = (await chart.boundingBox())!
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5)
    const heading = page.getByTestId('panel-trades-per-second').locator('.tooltip-heading')
    await expect.poll(() => heading.isVisible(), { timeout: UI_TIMEOUT_MS }).toBe(true)
    expect(await heading.evaluate((el) => getComputedStyle(el).fontWeight)).toBe('600')
    expect(errors.filter((e) => e.includes('Content Security Policy') || e.includes('CSP'))).toEqual([])
    await screenshot(page, '1-running')
  })

  it('picks the symbol of a clicked slice for the volume trend and the candles', async () => {
    expect(await page.getByTestId('volume-symbol-select').inputValue()).toBe('')
    // The trade-count donut (centre 50 % / 52 %, ring 35–68 % of the half side): its ring at 3 o'clock.
    const box = (await page.getByTestId('panel-trade-count').locator('.echart').boundingBox())!
    const r = (0.515 * Math.min(box.width, box.height)) / 2
    await page.mouse.click(box.x + box.width / 2 + r, box.y + box.height * 0.52)
    await expect
      .poll(() => page.getByTestId('volume-symbol-select').inputValue(), { timeout: UI_TIMEOUT_MS })
      .toMatch(/^(AAPL|AMZN|BINANCE:BTCUSDT|IC MARKETS:1)$/)
    const picked = await page.getByTestId('volume-symbol-select').inputValue()
    expect(await page.getByTestId('candles-symbol-select').inputValue()).toBe(picked)
    // The candles of another symbol, picked in their own panel: the volume trend follows.
    const other = picked === 'AMZN' ? 'AAPL' : 'AMZN'
    const updated = Number(await attr(page, 'panel-candles', 'data-updated'))
    await page.getByTestId('candles-symbol-select').selectOption(other)
    expect(await page.getByTestId('volume-symbol-select').inputValue()).toBe(other)
    await page.waitForFunction(
      (n) =>
        Number(document.querySelector('[data-testid="panel-candles"]')?.getAttribute('data-updated')) > n,
      updated,
      { timeout: KPI_TIMEOUT_MS, polling: 250 },
    )
    expect(await attr(page, 'panel-candles', 'data-state')).toBe('ready')
  })

  it('adds a symbol while running and shows it in the views', async () => {
    // This run's window from here on: every bucket of it lies inside the run.
    await page.getByTestId('window-select').selectOption('run')
    await page.getByTestId('symbol-input').fill('MSFT')
    await page.getByTestId('symbol-add').click()
    await expect
      .poll(() => page.locator('[data-testid="symbol-item"][data-symbol="MSFT"]').count(), {
        timeout: UI_TIMEOUT_MS,
      })
      .toBe(1)
    await expect
      .poll(async () => (await attr(page, 'panel-trade-count', 'data-symbols'))?.split('|') ?? [], {
        timeout: KPI_TIMEOUT_MS,
      })
      .toContain('MSFT')
    await expect
      .poll(() => attr(page, 'panel-data-loss', 'data-threshold'), { timeout: KPI_TIMEOUT_MS })
      .toBe('5')
    // Duplicates are refused in words.
    await page.getByTestId('symbol-input').fill('MSFT')
    await page.getByTestId('symbol-add').click()
    await expect
      .poll(() => page.getByTestId('symbol-error').textContent(), { timeout: UI_TIMEOUT_MS })
      .toMatch(/already/)
  })

  it('moves the data-loss line when a symbol is removed, and its marks with the threshold', async () => {
    await page.locator('[data-testid="symbol-item"][data-symbol="AAPL"]').getByTestId('symbol-remove').click()
    await expect
      .poll(() => page.locator('[data-testid="symbol-item"][data-symbol="AAPL"]').count(), {
        timeout: UI_TIMEOUT_MS,
      })
      .toBe(0)
    // symbols_subscribed follows the list until pinned, and the view redraws its line.
    await expect
      .poll(() => attr(page, 'panel-data-loss', 'data-threshold'), { timeout: KPI_TIMEOUT_MS })
      .toBe('4')
    await expect
      .poll(() => page.getByTestId('threshold-symbols_subscribed').inputValue(), { timeout: UI_TIMEOUT_MS })
      .toBe('4')

    // Expecting more symbols than are subscribed: every whole window of the run falls short. Only
    // whole ones count, not the first (begun before Start) nor the open one, and the first whole
    // window ends at most two windows after Start.
    await page.getByTestId('threshold-symbols_subscribed').fill('10')
    await page.getByTestId('threshold-save-symbols_subscribed').click()
    await expect
      .poll(() => page.getByTestId('symbols-subscribed-pin').isChecked(), { timeout: UI_TIMEOUT_MS })
      .toBe(true)
    await expect
      .poll(async () => Number(await attr(page, 'panel-data-loss', 'data-loss-windows')), {
        timeout: 2 * LOSS_WINDOW_MS + KPI_TIMEOUT_MS,
      })
      .toBeGreaterThan(0)
    await screenshot(page, '2-data-loss')
    // The data-loss alert rose: one desktop notification, which opens the alerts list when clicked.
    const recorded = (): Promise<Recorded[]> =>
      page.evaluate(() => (window as unknown as { recorded: Recorded[] }).recorded)
    await expect
      .poll(async () => (await recorded()).filter((n) => n.title === 'Tickflow: Data loss').length, {
        timeout: KPI_TIMEOUT_MS,
      })
      .toBe(1)
    const lossAt = (await recorded()).findIndex((n) => n.title === 'Tickflow: Data loss')
    expect((await recorded())[lossAt]?.body).toMatch(/^Data loss: \d+ of 10 symbols/)
    await page.evaluate((i) => {
      const n = (window as unknown as { made: Notification[] }).made[i]
      n?.onclick?.(new Event('click'))
    }, lossAt)
    await expect.poll(() => page.getByTestId('alerts-list').count(), { timeout: UI_TIMEOUT_MS }).toBe(1)
    await page.getByTestId('alerts-button').click()
    // Lowering it to one: no window of the run falls short any more.
    await page.getByTestId('threshold-symbols_subscribed').fill('1')
    await page.getByTestId('threshold-save-symbols_subscribed').click()
    await expect
      .poll(async () => Number(await attr(page, 'panel-data-loss', 'data-loss-windows')), {
        timeout: KPI_TIMEOUT_MS,
      })
      .toBe(0)
    // However often the data-loss window fell short, each rule notified at most once a minute.
    const seen = await page.evaluate(() => (window as unknown as { recorded: Recorded[] }).recorded)
    for (const n of seen)
      expect(
        seen.filter((m) => m.title === n.title && Math.abs(m.at - n.at) < 60_000),
        n.title,
      ).toHaveLength(1)
  })

  it('shows every view over "Last 7 days", data loss as two-hour bars, then goes back to this run', async () => {
    await page.getByTestId('window-select').selectOption({ label: 'Last 7 days' })
    await expect
      .poll(async () => Number(await attr(page, 'panel-data-loss', 'data-window-ms')), {
        timeout: KPI_TIMEOUT_MS,
      })
      .toBeGreaterThanOrEqual(7 * 86_400_000)
    // from the whole hour (resolveWindow)
    expect(Number(await attr(page, 'panel-data-loss', 'data-window-ms'))).toBeLessThan(
      7 * 86_400_000 + 3_600_000,
    )
    await waitForPanels(page, 'every view over 7 days', ['ready'], KPI_TIMEOUT_MS)
    // one bar per two hours (sql/012's summary, at most 120 bars since sql/014), not one per 30 s window
    const bars = Number(await attr(page, 'panel-data-loss', 'data-loss-bars'))
    expect(bars).toBeGreaterThanOrEqual(84)
    expect(bars).toBeLessThanOrEqual(85)
    await screenshot(page, '2b-last-7-days')
    await page.getByTestId('window-select').selectOption('run')
    await expect
      .poll(async () => Number(await attr(page, 'panel-data-loss', 'data-window-ms')), {
        timeout: KPI_TIMEOUT_MS,
      })
      .toBeLessThan(86_400_000)
  })

  it('stops, draining, and keeps its state across a page refresh', async () => {
    await page.getByTestId('start-stop').click()
    await expect
      .poll(() => page.getByTestId('pipeline-state').textContent(), { timeout: PIPELINE_TIMEOUT_MS })
      .toBe('stopped')
    await page.reload()
    await expect
      .poll(() => page.getByTestId('pipeline-state').textContent(), { timeout: UI_TIMEOUT_MS })
      .toBe('stopped')
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

  it('shows "Reconnecting…" while the server restarts, then carries on, running at once with --start', async () => {
    const before = errors.length
    expect(await served.stop(), served.output()).toBe(0)
    await expect.poll(() => page.getByTestId('connection-banner').count(), { timeout: UI_TIMEOUT_MS }).toBe(1)
    // Never a blank page: the charts stay while the server is away.
    expect(await page.getByTestId('panel-trade-count').count()).toBe(1)
    // --start (a systemd unit's): the pipeline starts without a press, with the stored symbols.
    served = await startServe({ reuse: served, args: ['--start'] })
    // The page retries at most every 5 s.
    await expect.poll(() => page.getByTestId('connection-banner').count(), { timeout: UI_TIMEOUT_MS }).toBe(0)
    await expect
      .poll(() => page.getByTestId('pipeline-state').textContent(), { timeout: PIPELINE_TIMEOUT_MS })
      .toBe('running')
    expect(
      await page
        .getByTestId('symbol-item')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-symbol'))),
    ).toEqual(['AMZN', 'BINANCE:BTCUSDT', 'IC MARKETS:1', 'MSFT'])
    // The stored trades are back (lag history is kept in memory, so it starts anew).
    await expect
      .poll(() => attr(page, 'panel-trade-count', 'data-state'), { timeout: KPI_TIMEOUT_MS })
      .toBe('ready')
    // Chromium itself logs each refused reconnect attempt; anything else is the app's.
    const refused = /WebSocket connection to .* failed/
    errors.splice(before, errors.length - before, ...errors.slice(before).filter((e) => !refused.test(e)))
  })

  it('logged no console errors anywhere', () => {
    expect(errors).toEqual([])
  })
})
