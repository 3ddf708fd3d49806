import { describe, expect, it } from 'vitest'
import type { TooltipParams } from '../tooltip'
import { makeContext, makeKpis, makeSnapshot, tooltipText } from '../fixture'
import { buildPriceRangeOption, rangePercent } from './options'

type Item = { value: number | null; itemStyle: { color: string } }
const spans = (o: ReturnType<typeof buildPriceRangeOption>): (number | null)[] =>
  (o.series[1]!.data as Item[]).map((d) => d.value)

describe('price-range options', () => {
  const ctx = makeContext()

  it('stacks a visible range on an invisible base of the low price', () => {
    const option = buildPriceRangeOption(makeSnapshot(), ctx)
    expect(option.series.map((s) => s.id)).toEqual(['range-base', 'range'])
    expect(option.series[0]).toMatchObject({
      stack: 'range',
      itemStyle: { color: 'transparent' },
      tooltip: { show: false },
    })
    expect(option.series[0]!.data).toEqual([170.9, 180.5, 59_800, 1.085])
    expect(option.series[1]!.stack).toBe('range')
    expect(spans(option)).toEqual([1.2, 1, 500, 0.0012])
    expect((option.series[1]!.data as Item[])[3]!.itemStyle.color).toBe(ctx.colorOf('IC MARKETS:1'))
    expect(option.yAxis).toMatchObject({ type: 'value', scale: true })
  })

  it('uses a log axis a decade under the lowest price, and skips non-positive lows', () => {
    const symbols = makeKpis().symbols.map((s) =>
      s.symbol === 'AMZN' ? { ...s, minPrice: 0, priceRange: 181.5 } : s,
    )
    const option = buildPriceRangeOption(makeSnapshot({ symbols }), makeContext({ priceScale: 'log' }))
    expect(option.yAxis).toMatchObject({ type: 'log', min: 0.1 })
    expect(option.series[0]!.data).toEqual([170.9, null, 59_800, 1.085])
    expect(spans(option)).toEqual([1.2, null, 500, 0.0012])
  })

  it('normalises the range to % of the low, drawn from zero', () => {
    const option = buildPriceRangeOption(makeSnapshot(), makeContext({ priceScale: 'normalised' }))
    expect(option.series[0]!.data).toEqual([0, 0, 0, 0])
    const v = spans(option) as number[]
    expect(v[0]).toBeCloseTo(0.702165, 6) // 1.2 / 170.9
    expect(v[2]).toBeCloseTo(0.83612, 6) // 500 / 59,800
    expect(v[3]).toBeCloseTo(0.110599, 6) // 0.0012 / 1.085
    expect(rangePercent({ minPrice: 0, priceRange: 3 })).toBe(0)
    expect(option.yAxis).toMatchObject({ type: 'value', min: 0, scale: false })
  })

  it('gives min, max and range in the tooltip', () => {
    const option = buildPriceRangeOption(makeSnapshot(), makeContext({ locale: 'de-DE' }))
    const formatter = (option.tooltip as { formatter: (p: TooltipParams) => string }).formatter
    expect(tooltipText(formatter({ dataIndex: 2, seriesId: 'range' } as TooltipParams))).toEqual([
      'BINANCE:BTCUSDT',
      'min 59.800,00',
      'max 60.300,00',
      'range 500,00',
      'range / min 0,836 %',
    ])
  })
})
