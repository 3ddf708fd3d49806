import { describe, expect, it } from 'vitest'
import type { TooltipParams } from '../tooltip'
import { emptySnapshot, makeContext, makeKpis, makeSnapshot, T0, tooltipText } from '../fixture'
import { buildCandlesOption } from './options'

const S = 1000

describe('candles options', () => {
  const ctx = makeContext()
  const option = buildCandlesOption(makeSnapshot(), ctx)
  const { buckets } = makeKpis().candles
  const series = (id: string): Record<string, unknown> =>
    option.series.find((s) => s.id === id) as Record<string, unknown>

  it('draws a candle per bucket at its centre as [time, open, close, low, high], none where open and close are unknown', () => {
    const b = buckets
    expect(series('candles')).toMatchObject({
      type: 'candlestick',
      name: 'AAPL',
      xAxisIndex: 0,
      yAxisIndex: 0,
    })
    expect(series('candles').data).toEqual([
      [T0 + 15 * S, b[0]!.open, b[0]!.close, b[0]!.low, b[0]!.high],
      [T0 + 45 * S, '-', '-', '-', '-'],
      [T0 + 75 * S, b[2]!.open, b[2]!.close, b[2]!.low, b[2]!.high],
      [T0 + 105 * S, b[3]!.open, b[3]!.close, b[3]!.low, b[3]!.high],
    ])
  })

  it('in the symbol’s one colour: rising candles hollow, falling ones filled', () => {
    const color = ctx.colorOf('AAPL')
    expect(series('candles').itemStyle).toEqual({
      color: 'transparent',
      color0: color,
      borderColor: color,
      borderColor0: color,
    })
    expect(series('volume').color).toBe(color)
    expect(option.title).toMatchObject({ text: 'AAPL', textStyle: { color } })
  })

  it('draws the VWAP over the candles, broken where it is unknown', () => {
    expect(series('vwap')).toMatchObject({ type: 'line', xAxisIndex: 0, yAxisIndex: 0, connectNulls: false })
    expect(series('vwap').data).toEqual([
      [T0 + 15 * S, buckets[0]!.vwap],
      [T0 + 45 * S, '-'],
      [T0 + 75 * S, buckets[2]!.vwap],
      [T0 + 105 * S, buckets[3]!.vwap],
    ])
  })

  it('draws every bucket’s volume below, on the same time range', () => {
    expect(series('volume')).toMatchObject({ type: 'bar', xAxisIndex: 1, yAxisIndex: 1 })
    expect(series('volume').data).toEqual([
      [T0 + 15 * S, 1440],
      [T0 + 45 * S, 1200],
      [T0 + 75 * S, 1440],
      [T0 + 105 * S, 720],
    ])
    const x = option.xAxis as { min: number; max: number; gridIndex: number }[]
    expect(x.map((a) => [a.gridIndex, a.min, a.max])).toEqual([
      [0, T0, T0 + 120 * S],
      [1, T0, T0 + 120 * S],
    ])
    expect(option.grid).toHaveLength(2)
  })

  it('gives the bucket’s prices, VWAP, volume and trades in the tooltip, and says what is unknown', () => {
    const formatter = (option.tooltip as { formatter: (p: TooltipParams) => string }).formatter
    expect(tooltipText(formatter([{ dataIndex: 0 }] as TooltipParams))).toEqual([
      'AAPL 12:00:00 PM UTC – 12:00:30 PM',
      'open 171.40',
      'high 171.70',
      'low 171.20',
      'close 171.50',
      'VWAP 171.45',
      'volume 1,440',
      'trades 12',
    ])
    expect(tooltipText(formatter([{ dataIndex: 1 }] as TooltipParams)).slice(1, 6)).toEqual([
      'open unknown',
      'high 171.80',
      'low 171.30',
      'close unknown',
      'VWAP unknown',
    ])
  })

  it('says when the VWAP is the mean price of a bucket without volume', () => {
    const kpis = makeKpis()
    const noVolume = kpis.candles.buckets.map((b) => ({ ...b, volume: 0 }))
    const fx = buildCandlesOption(makeSnapshot({ candles: { ...kpis.candles, buckets: noVolume } }), ctx)
    const formatter = (fx.tooltip as { formatter: (p: TooltipParams) => string }).formatter
    expect(tooltipText(formatter([{ dataIndex: 0 }] as TooltipParams))[5]).toBe(
      'VWAP (no volume: mean) 171.45',
    )
  })

  it('has an empty title and no data for an empty window', () => {
    const empty = buildCandlesOption(emptySnapshot(), ctx)
    expect(empty.title).toMatchObject({ text: '' })
    expect(empty.series.map((s) => s.data)).toEqual([[], [], []])
  })
})
