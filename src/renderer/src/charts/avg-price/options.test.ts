import { describe, expect, it } from 'vitest'
import type { TooltipParams } from '../tooltip'
import { makeContext, makeKpis, makeSnapshot, tooltipText } from '../fixture'
import { buildAvgPriceOption, logAxisMin, pricePosition } from './options'

type Item = { value: number | null; itemStyle: { color: string } }
/** what a bar shows: the invisible base plus the visible segment stacked on it */
const values = (o: ReturnType<typeof buildAvgPriceOption>): (number | null)[] =>
  (o.series[1]!.data as Item[]).map((d, i) => {
    const base = (o.series[0]!.data as (number | null)[])[i] ?? null
    return d.value === null || base === null ? null : base + d.value
  })
const label = (o: ReturnType<typeof buildAvgPriceOption>, dataIndex: number): string =>
  (o.series[1]!.label as { formatter: (p: { dataIndex: number }) => string }).formatter({ dataIndex })
const tooltip = (o: ReturnType<typeof buildAvgPriceOption>, dataIndex: number): string[] =>
  tooltipText(
    (o.tooltip as { formatter: (p: TooltipParams) => string }).formatter({ dataIndex } as TooltipParams),
  )

describe('avg-price options', () => {
  it('shows the mean price per symbol on a linear axis, in symbol colours', () => {
    const ctx = makeContext()
    const option = buildAvgPriceOption(makeSnapshot(), ctx)
    expect(option.xAxis).toMatchObject({
      type: 'category',
      data: ['AAPL', 'AMZN', 'BINANCE:BTCUSDT', 'IC MARKETS:1'],
    })
    expect(option.yAxis).toMatchObject({ type: 'value', min: undefined })
    expect(values(option)).toEqual([171.46, 181.08, 60_000, 1.0856])
    expect(option.series[0]!.data).toEqual([0, 0, 0, 0])
    expect((option.series[1]!.data as Item[])[2]!.itemStyle.color).toBe(ctx.colorOf('BINANCE:BTCUSDT'))
    expect(option.series.map((s) => s.id)).toEqual(['avg-price-base', 'avg-price'])
    expect(label(option, 2)).toBe('60,000.00')
  })

  it('uses a log axis a decade under the smallest price, with bars standing on that minimum', () => {
    const option = buildAvgPriceOption(makeSnapshot(), makeContext({ priceScale: 'log' }))
    expect(option.yAxis).toMatchObject({ type: 'log', min: 0.1 })
    // echarts starts log bars at 1: an invisible base lifts them to the axis minimum instead
    expect(option.series[0]!.data).toEqual([0.1, 0.1, 0.1, 0.1])
    const tops = values(option) as number[]
    expect(tops.map((v) => Number(v.toFixed(6)))).toEqual([171.46, 181.08, 60_000, 1.0856])
    expect(label(option, 3)).toBe('1.0856')
  })

  it('leaves a zero price off a log axis instead of breaking it', () => {
    const symbols = makeKpis().symbols.map((s) =>
      s.symbol === 'IC MARKETS:1' ? { ...s, avgPrice: 0, minPrice: 0 } : s,
    )
    const option = buildAvgPriceOption(makeSnapshot({ symbols }), makeContext({ priceScale: 'log' }))
    expect(values(option).map((v) => (v === null ? null : Number(v.toFixed(6))))).toEqual([
      171.46,
      181.08,
      60_000,
      null,
    ])
    expect(option.series[0]!.data).toEqual([10, 10, 10, null])
    expect(option.yAxis).toMatchObject({ type: 'log', min: 10 })
    expect(logAxisMin([0, -1])).toBeUndefined()
  })

  it('normalises each mean to its position within the symbol’s own min..max', () => {
    const option = buildAvgPriceOption(makeSnapshot(), makeContext({ priceScale: 'normalised' }))
    expect(option.yAxis).toMatchObject({ type: 'value', min: 0, max: 100 })
    const v = values(option) as number[]
    expect(v[0]).toBeCloseTo(((171.46 - 170.9) / 1.2) * 100, 9) // 46.67
    expect(v[1]).toBeCloseTo(58, 9) // (181.08 - 180.5) / 1
    expect(v[2]).toBeCloseTo(40, 9) // (60000 - 59800) / 500
    expect(v[3]).toBeCloseTo(50, 9) // (1.0856 - 1.085) / 0.0012
    expect(pricePosition({ avgPrice: 5, minPrice: 5, maxPrice: 5 })).toBe(50)
    expect(label(option, 0)).toBe('47%')
  })

  it('puts the real price in the tooltip, and the position when normalised', () => {
    expect(tooltip(buildAvgPriceOption(makeSnapshot(), makeContext()), 2)).toEqual([
      'BINANCE:BTCUSDT',
      'avg price 60,000.00',
      'min 59,800.00',
      'max 60,300.00',
      'trades 25',
    ])
    const de = buildAvgPriceOption(makeSnapshot(), makeContext({ priceScale: 'normalised', locale: 'de-DE' }))
    expect(tooltip(de, 3)).toEqual([
      'IC MARKETS:1',
      'avg price 1,0856',
      'min 1,085',
      'max 1,0862',
      'position in range 50 %',
      'trades 5',
    ])
  })
})
