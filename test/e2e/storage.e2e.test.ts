/// <reference lib="dom" />
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type pg from 'pg'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { TradeRow } from '../../src/main/pipeline/record-codec'
import { writeBatch } from '../../src/main/pipeline/consumer/writer'
import { createPool } from '../../src/main/postgres/database'
import { tradeDaySizes } from '../../src/main/postgres/retention'
import { DAY_MS, dayOf } from '../../src/main/postgres/trade-days'
import { collectPageErrors } from '../../dev/chromium'
import { screenshot, skipAfterFailure, startChromium, UI_TIMEOUT_MS, type Chromium } from './browser'
import { cleanServe, killServes, startServe, type Served } from './serve'

// The Storage section in Chromium over `npm run serve` (real broker and PostgreSQL; no pipeline
// needed): disk use shows, a bad value is refused with the rule it breaks and changes nothing, and
// a change is previewed (what it would remove) before it removes exactly that.
// A SEQUENCE on one server and page: each step starts where the last left them.

const TODAY = dayOf(Date.now())
const AGES = [45, 40, 3, 0]
const iso = (age: number): string => new Date((TODAY - age) * DAY_MS).toISOString().slice(0, 10)

function trade(i: number, age: number): TradeRow {
  const t = Math.min(Date.now(), (TODAY - age) * DAY_MS + 3_600_000 + i)
  return {
    tradeId: `e2e-storage.${age}.${i}`,
    recordStamp: t,
    symbol: 'AAPL',
    price: 170 + i / 100,
    volume: 1,
    conditions: null,
    tradedAt: t,
    receivedAt: t + 5,
    consumedAt: t + 9,
    topic: 'trades',
    partition: 0,
    offset: String(age * 100 + i),
  }
}

describe.sequential('the Storage section in Chromium over npm run serve', () => {
  let served: Served
  let chrome: Chromium
  let page: Page
  let pool: pg.Pool
  let errors: string[]
  skipAfterFailure()

  const keptAges = async (): Promise<number[]> =>
    (await tradeDaySizes(pool)).map((d) => TODAY - d.day).filter((a) => a >= 0)
  const stored = async (): Promise<Record<string, unknown>> =>
    JSON.parse(await readFile(join(served.dataDir, 'settings.json'), 'utf8').catch(() => '{}'))

  beforeAll(async () => {
    served = await startServe()
    // Trades of old days in the server's schema (migrated by now): what a change would remove.
    pool = createPool(inject('databaseUrl'), served.schema)
    await writeBatch(
      pool,
      AGES.flatMap((age) => Array.from({ length: 50 }, (_, i) => trade(i, age))),
      [],
    )
    chrome = await startChromium()
    page = await chrome.browser.newPage({ viewport: { width: 1440, height: 900 } })
    errors = collectPageErrors(page)
  })

  afterAll(async () => {
    try {
      if (chrome) await chrome.close()
    } finally {
      await pool?.end()
      if (served) await served.stop()
      await killServes()
      if (served) await cleanServe(served)
    }
  })

  it('shows disk use in the status bar and the section, retention off on an external database', async () => {
    await page.goto(served.url)
    // The database is external and no retention was given: off, and said so.
    await expect
      .poll(() => page.getByTestId('status-disk').textContent(), { timeout: UI_TIMEOUT_MS })
      .toMatch(/^\d+(\.\d)? [kMGT]B, \d+\.\d [MGT]B free$/)
    const tip = (await page.getByTestId('status-disk').locator('..').getAttribute('title')) ?? ''
    expect(tip).toMatch(/^Trades: \d/m)
    expect(tip).toMatch(/^PostgreSQL: unknown \(the database is external/m)
    expect(tip).toMatch(/^Kafka log: unknown \(the broker is external/m)
    // (the trades above came after the start's measurement; the next is a minute on, or after a change)
    expect(tip).toContain('Retention: off (external database)')
    expect(await page.getByTestId('storage-use').textContent()).toBe(
      await page.getByTestId('status-disk').textContent(),
    )
    expect(await page.getByTestId('disk-budget-gb').isDisabled()).toBe(true)
  })

  it('refuses a bad value with the rule it breaks, and changes nothing', async () => {
    await page.getByTestId('retention-days').fill('0')
    await page.getByTestId('retention-preview').click()
    await expect
      .poll(() => page.getByTestId('retention-error').textContent(), { timeout: UI_TIMEOUT_MS })
      .toBe('retention days must be at least 1 (today is never removed)')
    expect(await page.getByTestId('retention-preview-result').count()).toBe(0)
    await page.getByTestId('retention-days').fill('2.5')
    await page.getByTestId('retention-preview').click()
    await expect
      .poll(() => page.getByTestId('retention-error').textContent(), { timeout: UI_TIMEOUT_MS })
      .toBe('retention days must be a whole number')
    await screenshot(page, 'storage-invalid')
    expect(await keptAges()).toEqual(AGES)
    expect(await stored()).not.toHaveProperty('retentionDays')
  })

  it('previews what a change would remove, removing nothing yet', async () => {
    await page.getByTestId('retention-days').fill('30')
    await page.getByTestId('retention-preview').click()
    const preview = page.getByTestId('retention-preview-result')
    await expect
      .poll(() => preview.textContent(), { timeout: UI_TIMEOUT_MS })
      .toMatch(new RegExp(`^Would remove 2 days, \\d+ kB: ${iso(45)}, ${iso(40)}`))
    expect(await page.getByTestId('retention-error').count()).toBe(0)
    await screenshot(page, 'storage-preview')
    expect(await keptAges()).toEqual(AGES)
    expect(await stored()).not.toHaveProperty('retentionDays')
  })

  it('applies the previewed change: exactly those days go, the setting is saved and in force', async () => {
    await page.getByTestId('retention-apply').click()
    await expect
      .poll(() => page.getByTestId('retention-done').textContent(), { timeout: UI_TIMEOUT_MS })
      .toMatch(new RegExp(`^Saved\\. Removed 2 days, \\d+ kB: ${iso(45)}, ${iso(40)}$`))
    expect(await keptAges()).toEqual([3, 0])
    expect(await stored()).toMatchObject({ retentionDays: 30 })
    // The status that follows carries the retention now in force and the new oldest trade.
    await expect
      .poll(() => page.getByTestId('status-disk').locator('..').getAttribute('title'), {
        timeout: UI_TIMEOUT_MS,
      })
      .toContain('Retention: 30 days, no disk budget')
    expect(await page.getByTestId('status-disk').locator('..').getAttribute('title')).toContain(
      `Oldest trade kept: ${iso(3)} 01:00 UTC`,
    )
    expect(await page.getByTestId('retention-days').inputValue()).toBe('30')
    await screenshot(page, 'storage-applied')
  })

  it('logged no console errors', () => {
    expect(errors).toEqual([])
  })
})
