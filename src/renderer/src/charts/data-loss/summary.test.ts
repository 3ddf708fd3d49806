import { describe, expect, it } from 'vitest'
import type { WindowSnapshot } from '@shared/contract'
import type { DataLossSummaryBucket } from '@shared/kpi'
import { themeColors } from '@renderer/theme/colors'
import type { TooltipParams } from '../tooltip'
import { makeContext, makeSnapshot, T0, tooltipText } from '../fixture'
import { buildDataLossOption, lossWindowCount } from './options'
import { judgeSummaryBucket } from './summary'

const H = 3_600_000
const DAY = 24 * H

/** A week in hourly buckets, as kpi_snapshot() sends it over a day (sql/012). */
function weekSnapshot(buckets: DataLossSummaryBucket[], over: Partial<WindowSnapshot> = {}): WindowSnapshot {
  const base = makeSnapshot({
    from: T0,
    to: T0 + 7 * DAY,
    bucketS: 3600,
    dataLoss: { lossWindows: 0, buckets: [], summary: { bucketS: 3600, buckets } },
  })
  return { ...base, at: T0 + 7 * DAY, run: { startedAt: T0 - DAY, stoppedAt: null }, ...over }
}

const bucket = (i: number, b: Partial<DataLossSummaryBucket> = {}): DataLossSummaryBucket => ({
  start: T0 + i * H,
  windows: 120,
  idleWindows: 0,
  shortWindows: 0,
  missing: [],
  ...b,
})

type Item = { value: [number, number]; itemStyle: { color: string; opacity: number } }

describe('data-loss summary over a day', () => {
  const buckets = [
    bucket(0),
    bucket(1, { shortWindows: 7, missing: ['IC MARKETS:1'] }),
    bucket(2, { idleWindows: 120 }),
    bucket(3, { idleWindows: 60, shortWindows: 2, missing: ['AMZN', 'IC MARKETS:1'] }),
  ]
  const snap = weekSnapshot(buckets)
  const option = buildDataLossOption(snap, makeContext())
  const items = option.series[0]!.data as Item[]
  const warning = themeColors('light').warning

  it('draws one bar per bucket, its short windows, not one bar per 30 s window', () => {
    expect(option.series.map((s) => s.id)).toEqual(['short-windows'])
    expect(items.map((d) => d.value)).toEqual([
      [T0 + H / 2, 0],
      [T0 + 1.5 * H, 7],
      [T0 + 2.5 * H, 0],
      [T0 + 3.5 * H, 2],
    ])
    expect(items.map((d) => d.itemStyle.color === warning)).toEqual([false, true, false, true])
    expect(option.xAxis).toMatchObject({ type: 'time', min: T0, max: T0 + 7 * DAY })
    expect(option.yAxis).toMatchObject({ name: 'short windows', min: 0, max: 7, minInterval: 1 })
  })

  it('counts the short windows the SQL found, idle ones never', () => {
    expect(lossWindowCount(snap)).toBe(9)
    expect(judgeSummaryBucket(buckets[2]!, H, snap)).toEqual({ idle: true, open: false, short: 0 })
    expect(items[2]!.itemStyle.opacity).toBeLessThan(1)
  })

  it('names the missing symbols and the idle windows in the tooltip', () => {
    const tip = (dataIndex: number): string[] =>
      tooltipText(
        (option.tooltip as { formatter: (p: TooltipParams) => string }).formatter({
          dataIndex,
        } as TooltipParams),
      )
    expect(tip(1)).toEqual([
      'Jan 15, 01:00:00 PM UTC – 02:00:00 PM',
      'short 30 s windows 7 of 120',
      'missing in some IC MARKETS:1',
    ])
    expect(tip(2)).toEqual([expect.any(String), 'no trades: the pipeline was not running'])
    expect(tip(3)).toEqual([
      expect.any(String),
      'short 30 s windows 2 of 60',
      'without trades (not running) 60',
      'missing in some AMZN, IC MARKETS:1',
    ])
  })

  it('marks the bucket the running pipeline is still filling as in progress', () => {
    const live = weekSnapshot([bucket(0), bucket(1)], { at: T0 + 1.5 * H })
    expect(judgeSummaryBucket(live.kpis.dataLoss.summary!.buckets[1]!, H, live).open).toBe(true)
    expect(judgeSummaryBucket(live.kpis.dataLoss.summary!.buckets[0]!, H, live).open).toBe(false)
    const stopped = { ...live, run: { startedAt: T0, stoppedAt: T0 + H } }
    expect(judgeSummaryBucket(live.kpis.dataLoss.summary!.buckets[1]!, H, stopped).open).toBe(false)
  })

  it('keeps the per-window bars for windows up to a day', () => {
    expect(buildDataLossOption(makeSnapshot(), makeContext()).series.map((s) => s.id)).toEqual([
      'symbols-seen',
    ])
  })
})
