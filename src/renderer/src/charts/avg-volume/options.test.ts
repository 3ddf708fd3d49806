import { describe, expect, it } from 'vitest'
import type { TooltipParams } from '../tooltip'
import { makeContext, makeSnapshot, tooltipText } from '../fixture'
import { buildAvgVolumeOption } from './options'

describe('avg-volume options', () => {
  const ctx = makeContext()
  const option = buildAvgVolumeOption(makeSnapshot(), ctx)
  const series = option.series[0]!

  it('has one funnel slice per symbol, in the panel order, in its colour', () => {
    expect(option.series).toHaveLength(1)
    expect(series.id).toBe('avg-volume')
    expect(series.type).toBe('funnel')
    expect(series.data).toEqual([
      { name: 'AAPL', value: 120, itemStyle: { color: ctx.colorOf('AAPL') } },
      { name: 'AMZN', value: 80, itemStyle: { color: ctx.colorOf('AMZN') } },
      { name: 'BINANCE:BTCUSDT', value: 0.002, itemStyle: { color: ctx.colorOf('BINANCE:BTCUSDT') } },
      { name: 'IC MARKETS:1', value: 1.5, itemStyle: { color: ctx.colorOf('IC MARKETS:1') } },
    ])
  })

  it('scales the funnel to the data, not to the default 0..100', () => {
    expect(series.min).toBe(0)
    expect(series.max).toBe(120)
    expect(buildAvgVolumeOption(makeSnapshot({ symbols: [] }), ctx).series[0]!.max).toBe(1)
  })

  it('is quiet: no animation, confined tooltip', () => {
    expect(option.animation).toBe(false)
    expect(option.tooltip).toMatchObject({ confine: true, trigger: 'item' })
  })

  it('explains a slice in the tooltip', () => {
    const formatter = (option.tooltip as { formatter: (p: TooltipParams) => string }).formatter
    const html = formatter({ dataIndex: 2, name: 'BINANCE:BTCUSDT' } as TooltipParams)
    expect(tooltipText(html)).toEqual([
      'BINANCE:BTCUSDT',
      'avg volume 0.002',
      'total volume 0.05',
      'trades 25',
    ])
    expect(html).toContain(ctx.colorOf('BINANCE:BTCUSDT'))
  })

  it('formats the slice label per locale', () => {
    const de = buildAvgVolumeOption(makeSnapshot(), makeContext({ locale: 'de-DE' }))
    const label = de.series[0]!.label as { formatter: (p: { name: string; value: number }) => string }
    expect(label.formatter({ name: 'IC MARKETS:1', value: 1.5 })).toBe('IC MARKETS:1  1,5')
    expect(label.formatter({ name: 'BINANCE:BTCUSDT', value: 0.002 })).toBe('BINANCE:BTCUSDT  0,002')
  })
})
