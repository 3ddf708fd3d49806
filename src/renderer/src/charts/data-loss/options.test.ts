import { describe, expect, it } from 'vitest'
import { themeColors, type TooltipParams } from '../common'
import { emptySnapshot, makeContext, makeKpis, makeSnapshot, T0, tooltipText } from '../fixture'
import { buildDataLossOption, lossRuns, lossWindowCount } from './options'

const S = 1000
type Item = { value: [number, number]; itemStyle: { color: string; opacity: number } }

describe('data-loss options', () => {
  const ctx = makeContext({ symbolsSubscribed: 4 })
  const option = buildDataLossOption(makeSnapshot(), ctx)
  const series = option.series[0]!
  const warning = themeColors('light').warning
  const tooltip = (dataIndex: number): string[] =>
    tooltipText(
      (option.tooltip as { formatter: (p: TooltipParams) => string }).formatter({
        dataIndex,
      } as TooltipParams),
    )

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

  it('colours the short windows as warnings, dims partial ones and shades the losses', () => {
    const items = series.data as Item[]
    expect(items.map((d) => d.itemStyle.color === warning)).toEqual([false, true, false, false])
    expect(items.map((d) => d.itemStyle.opacity)).toEqual([1, 1, 1, 0.5])
    expect(series.markArea).toMatchObject({ data: [[{ xAxis: T0 + 30 * S }, { xAxis: T0 + 60 * S }]] })
  })

  it('merges adjacent loss windows into one shaded run', () => {
    const b = makeKpis().dataLoss.buckets.map((x, i) => ({ ...x, dataLoss: i !== 0 }))
    expect(lossRuns(b, 30 * S, null)).toEqual([[T0 + 30 * S, T0 + 120 * S]])
  })

  it('calls a window without trades before the run "not running", and inside it data loss', () => {
    const kpis = makeKpis()
    const empty = kpis.dataLoss.buckets.map((x) => ({ ...x, symbolsSeen: 0, dataLoss: true, missing: [] }))
    const snap = makeSnapshot({ dataLoss: { lossWindows: empty.length, buckets: empty } })
    // The run started inside the third window: the first two were before Start.
    const run = { startedAt: empty[2]!.start + 5 * S, stoppedAt: null }
    expect(lossWindowCount({ ...snap, run })).toBe(empty.length - 2)
    expect(lossWindowCount({ ...snap, run: null })).toBe(0)
    const option = buildDataLossOption({ ...snap, run }, makeContext())
    const colours = (option.series[0]!.data as Item[]).map((d) => d.itemStyle.color === warning)
    expect(colours).toEqual(empty.map((_, i) => i >= 2))
  })

  it('names the missing symbols in the tooltip', () => {
    expect(tooltip(1)).toEqual([
      '12:00:30 PM UTC – 12:01:00 PM',
      'symbols seen 3 of 4',
      'data loss',
      'missing IC MARKETS:1',
    ])
  })

  it('says "partial window" for a window cut by the range', () => {
    expect(tooltip(3)).toEqual(['12:01:30 PM UTC – 12:02:00 PM', 'symbols seen 4 of 4', 'partial window'])
  })

  it('counts the loss windows for the panel', () => {
    expect(lossWindowCount(makeSnapshot())).toBe(1)
    expect(lossWindowCount(makeSnapshot())).toBe(makeKpis().dataLoss.lossWindows)
    expect(lossWindowCount(emptySnapshot())).toBe(0)
  })
})
