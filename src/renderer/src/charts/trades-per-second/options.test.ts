import { describe, expect, it } from 'vitest'
import type { TooltipParams } from '../tooltip'
import { makeContext, makeSnapshot, T0, tooltipText } from '../fixture'
import { buildTradesPerSecondOption } from './options'

const S = 1000

describe('trades-per-second options', () => {
  const ctx = makeContext()
  const snapshot = makeSnapshot()
  const option = buildTradesPerSecondOption(snapshot, ctx)

  it('has a Total series and one series per symbol, with stable ids', () => {
    expect(option.series.map((s) => s.id)).toEqual([
      'total',
      'sym:AAPL',
      'sym:AMZN',
      'sym:BINANCE:BTCUSDT',
      'sym:IC MARKETS:1',
    ])
    expect(option.series.map((s) => s.name)).toEqual([
      'Total',
      'AAPL',
      'AMZN',
      'BINANCE:BTCUSDT',
      'IC MARKETS:1',
    ])
  })

  it('plots trades/s at each bucket start', () => {
    expect(option.series[0]!.data).toEqual([
      [T0, 1],
      [T0 + 30 * S, 25 / 30],
      [T0 + 60 * S, 1],
      [T0 + 90 * S, 0.5],
    ])
    expect(option.series[4]!.data).toEqual([
      [T0, 2 / 30],
      [T0 + 30 * S, 0],
      [T0 + 60 * S, 2 / 30],
      [T0 + 90 * S, 1 / 30],
    ])
  })

  it('colours each symbol with its accent colour', () => {
    expect(option.series[1]!.color).toBe(ctx.colorOf('AAPL'))
    expect(option.series[3]!.color).toBe(ctx.colorOf('BINANCE:BTCUSDT'))
    expect(option.series[0]!.color).not.toBe(ctx.colorOf('AAPL'))
  })

  it('marks the window average on the total', () => {
    const markLine = option.series[0]!.markLine as { data: { yAxis: number }[] }
    expect(markLine.data[0]!.yAxis).toBeCloseTo(100 / 105, 10)
  })

  it('spans the window on a time axis labelled in UTC', () => {
    const x = option.xAxis as {
      type: string
      min: number
      max: number
      name: string
      axisLabel: { formatter: (v: number) => string }
    }
    expect(x).toMatchObject({ type: 'time', min: T0, max: T0 + 105 * S, name: 'UTC' })
    expect(x.axisLabel.formatter(T0 + 30 * S).replace(/\s/g, ' ')).toBe('12:00:30 PM')
    expect(option.useUTC).toBe(true)
  })

  it('lists the bucket total and the busiest symbols in the tooltip', () => {
    const formatter = (option.tooltip as { formatter: (p: TooltipParams) => string }).formatter
    const lines = tooltipText(formatter([{ dataIndex: 1, seriesId: 'total' }] as TooltipParams))
    expect(lines).toEqual([
      '12:00:30 PM UTC',
      'Total 0.83/s (25 trades)',
      'AAPL 0.33/s',
      'AMZN 0.27/s',
      'BINANCE:BTCUSDT 0.23/s',
    ])
  })

  it('formats the tooltip time in the local zone without a UTC label', () => {
    const local = buildTradesPerSecondOption(snapshot, makeContext({ timeZone: 'local', locale: 'de-DE' }))
    const formatter = (local.tooltip as { formatter: (p: TooltipParams) => string }).formatter
    const lines = tooltipText(formatter([{ dataIndex: 0 }] as TooltipParams))
    expect(lines[0]).toMatch(/^\d\d:00:00$/)
    expect(lines[1]).toBe('Total 1/s (30 trades)')
    expect(local.useUTC).toBe(false)
  })
})
