import { describe, expect, it } from 'vitest'
import type { WindowSnapshot } from '@shared/contract'
import type { DataLossBucket } from '@shared/kpi'
import { themeColors } from '@renderer/theme/colors'
import type { TooltipParams } from '../tooltip'
import { emptySnapshot, makeContext, makeKpis, makeSnapshot, T0, tooltipText } from '../fixture'
import { buildDataLossOption, judgeWindow, lossRuns, lossWindowCount } from './options'

const S = 1000
const W = 30 * S
type Item = { value: [number, number]; itemStyle: { color: string; opacity: number; decal?: object } }

const items = (snap: WindowSnapshot): Item[] =>
  buildDataLossOption(snap, makeContext()).series[0]!.data as Item[]

const tooltipOf = (snap: WindowSnapshot, dataIndex: number): string[] =>
  tooltipText(
    (
      buildDataLossOption(snap, makeContext()).tooltip as { formatter: (p: TooltipParams) => string }
    ).formatter({ dataIndex } as TooltipParams),
  )

/** The fixture's snapshot with its buckets changed; the fixture's last window is still open. */
function withBuckets(
  change: (b: DataLossBucket, i: number) => Partial<DataLossBucket>,
  over: Partial<WindowSnapshot> = {},
): WindowSnapshot {
  const buckets = makeKpis().dataLoss.buckets.map((b, i) => ({ ...b, ...change(b, i) }))
  return { ...makeSnapshot({ dataLoss: { lossWindows: 0, buckets } }), ...over }
}

/** 3 of 4 symbols: short if it counts. */
const lossy = { symbolsSeen: 3, symbolsMissing: 1, dataLoss: true, missing: ['IC MARKETS:1'] }

describe('data-loss options', () => {
  const option = buildDataLossOption(makeSnapshot(), makeContext({ symbolsSubscribed: 4 }))
  const series = option.series[0]!
  const warning = themeColors('light').warning

  it('plots the symbols seen per window, each bar centred on its 30 s window', () => {
    expect((series.data as Item[]).map((d) => d.value)).toEqual([
      [T0 + 15 * S, 4],
      [T0 + 45 * S, 3],
      [T0 + 75 * S, 4],
      [T0 + 105 * S, 4],
    ])
    // the partial last window reaches past the range end; the axis shows all of it
    expect(option.xAxis).toMatchObject({ type: 'time', min: T0, max: T0 + 120 * S })
  })

  it('draws the threshold at symbols_subscribed', () => {
    expect(series.markLine).toMatchObject({ data: [{ name: 'symbols_subscribed', yAxis: 4 }] })
    const other = buildDataLossOption(makeSnapshot(), makeContext({ symbolsSubscribed: 6 }))
    expect(other.series[0]!.markLine).toMatchObject({ data: [{ yAxis: 6 }] })
    expect(other.yAxis).toMatchObject({ min: 0, max: 6, minInterval: 1 })
  })

  it('colours the short windows as warnings, hatches the open one and shades the losses', () => {
    const drawn = series.data as Item[]
    expect(drawn.map((d) => d.itemStyle.color === warning)).toEqual([false, true, false, false])
    expect(drawn.map((d) => d.itemStyle.opacity)).toEqual([1, 1, 1, 0.35])
    expect(drawn.map((d) => d.itemStyle.decal !== undefined)).toEqual([false, false, false, true])
    expect(series.markArea).toMatchObject({ data: [[{ xAxis: T0 + 30 * S }, { xAxis: T0 + 60 * S }]] })
  })

  it('merges adjacent loss windows into one shaded run', () => {
    const snap = withBuckets((_, i) => (i === 0 ? {} : { ...lossy, partial: false }), { at: T0 + 120 * S })
    expect(lossRuns(snap.kpis.dataLoss.buckets, W, snap)).toEqual([[T0 + 30 * S, T0 + 120 * S]])
  })

  it('calls a window without trades before the run "not running", and inside it data loss', () => {
    const empty = { symbolsSeen: 0, dataLoss: true, missing: [] }
    // The run started as the third window began: the first two were before Start.
    const run = { startedAt: T0 + 60 * S, stoppedAt: null }
    const snap = withBuckets(() => empty, { run })
    expect(lossWindowCount(snap)).toBe(1) // the third; the fourth is still open
    expect(lossWindowCount({ ...snap, run: null })).toBe(0)
    expect(items(snap).map((d) => d.itemStyle.color === warning)).toEqual([false, false, true, false])
    expect(tooltipOf(snap, 0)).toEqual([
      '12:00:00 PM UTC – 12:00:30 PM',
      'no trades: the pipeline was not running',
    ])
  })

  it('names the missing symbols in the tooltip', () => {
    expect(tooltipOf(makeSnapshot(), 1)).toEqual([
      '12:00:30 PM UTC – 12:01:00 PM',
      'symbols seen 3 of 4',
      'data loss',
      'missing IC MARKETS:1',
    ])
  })

  it('counts the loss windows for the panel', () => {
    expect(lossWindowCount(makeSnapshot())).toBe(1)
    expect(lossWindowCount(makeSnapshot())).toBe(makeKpis().dataLoss.lossWindows)
    expect(lossWindowCount(emptySnapshot())).toBe(0)
  })
})

describe('data-loss windows that are not counted', () => {
  const warning = themeColors('light').warning

  it('right after Start: neither the first window, begun before Start, nor the open one is short', () => {
    // Started at 12:00:20; the query ran at 12:00:45, inside the second window. Both fall short
    // of 4 symbols so far, and both are shown, but the panel says "0 short windows".
    const base = withBuckets(() => ({ ...lossy, partial: true }), {
      at: T0 + 45 * S,
      run: { startedAt: T0 + 20 * S, stoppedAt: null },
    })
    const buckets = base.kpis.dataLoss.buckets.slice(0, 2)
    const snap = {
      ...base,
      kpis: { ...base.kpis, from: T0 + 20 * S, to: T0 + 46 * S, dataLoss: { lossWindows: 0, buckets } },
    }
    expect(lossWindowCount(snap)).toBe(0)
    const drawn = items(snap)
    expect(drawn.map((d) => d.itemStyle.color === warning)).toEqual([false, false])
    expect(drawn.map((d) => d.itemStyle.opacity)).toEqual([0.5, 0.35])
    const option = buildDataLossOption(snap, makeContext())
    expect(option.series[0]!.markArea).toMatchObject({ data: [] })
    expect(tooltipOf(snap, 0)).toEqual([
      '12:00:00 PM UTC – 12:00:30 PM',
      'symbols seen 3 of 4',
      'missing IC MARKETS:1',
      'partial window: not counted',
    ])
    expect(tooltipOf(snap, 1)).toEqual([
      '12:00:30 PM UTC – 12:01:00 PM',
      'symbols seen 3 of 4',
      'not seen yet IC MARKETS:1',
      'in progress: not counted until the window ends',
    ])
  })

  it('an open window without a trade yet is in progress, not loss', () => {
    // A window that ends exactly at the range's end: not partial in SQL, yet still open.
    const none = { symbolsSeen: 0, dataLoss: true, missing: [], partial: false }
    const snap = withBuckets((_, i) => (i === 3 ? none : {}))
    expect(judgeWindow(snap.kpis.dataLoss.buckets[3]!, W, snap)).toEqual({
      idle: false,
      open: true,
      partial: false,
      short: false,
    })
    // The same window once it has ended is loss.
    expect(judgeWindow(snap.kpis.dataLoss.buckets[3]!, W, { ...snap, at: T0 + 120 * S }).short).toBe(true)
  })

  it('the window in which the run stopped is partial, not in progress, and not counted', () => {
    const run = { startedAt: T0 - 600 * S, stoppedAt: T0 + 70 * S }
    const snap = withBuckets((_, i) => (i >= 2 ? lossy : {}), { run, at: T0 + 200 * S })
    const judged = snap.kpis.dataLoss.buckets.map((b) => judgeWindow(b, W, snap))
    expect(judged.map((j) => [j.open, j.partial, j.short])).toEqual([
      [false, false, false],
      [false, false, true],
      [false, true, false],
      // after the stop, with trades (another writer's): still cut by the range's end
      [false, true, false],
    ])
    expect(lossWindowCount(snap)).toBe(1)
  })

  it('a window the range cuts (partial in SQL) is never short, whatever its dataLoss says', () => {
    const snap = withBuckets((_, i) => (i === 1 ? { ...lossy, partial: true } : {}))
    expect(judgeWindow(snap.kpis.dataLoss.buckets[1]!, W, snap)).toMatchObject({
      partial: true,
      short: false,
    })
    expect(lossWindowCount(snap)).toBe(0)
  })
})
