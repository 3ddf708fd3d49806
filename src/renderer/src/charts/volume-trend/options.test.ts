import { describe, expect, it } from 'vitest'
import type { TooltipParams } from '../tooltip'
import { emptySnapshot, makeContext, makeKpis, makeSnapshot, T0, tooltipText } from '../fixture'
import { buildVolumeTrendOption } from './options'

const S = 1000

describe('volume-trend options', () => {
  const ctx = makeContext()
  const option = buildVolumeTrendOption(makeSnapshot(), ctx)

  it('draws the chosen symbol’s volume per bucket, bars centred on their bucket', () => {
    expect(option.series).toHaveLength(1)
    expect(option.series[0]).toMatchObject({
      id: 'volume',
      type: 'bar',
      name: 'AAPL',
      color: ctx.colorOf('AAPL'),
    })
    expect(option.series[0]!.data).toEqual([
      [T0 + 15 * S, 1440],
      [T0 + 45 * S, 1200],
      [T0 + 75 * S, 1440],
      [T0 + 105 * S, 720],
    ])
    expect(option.xAxis).toMatchObject({ type: 'time', min: T0, max: T0 + 120 * S })
  })

  it('names the symbol in the title, in its colour', () => {
    expect(option.title).toMatchObject({ text: 'AAPL', textStyle: { color: ctx.colorOf('AAPL') } })
  })

  it('keeps the series id when another symbol is picked', () => {
    const kpis = makeKpis()
    const other = buildVolumeTrendOption(
      makeSnapshot({ volumeTrend: { ...kpis.volumeTrend, symbol: 'BINANCE:BTCUSDT' } }),
      ctx,
    )
    expect(other.series[0]).toMatchObject({
      id: 'volume',
      name: 'BINANCE:BTCUSDT',
      color: ctx.colorOf('BINANCE:BTCUSDT'),
    })
    expect(other.title).toMatchObject({ text: 'BINANCE:BTCUSDT' })
  })

  it('has an empty title and no bars for an empty window', () => {
    const empty = buildVolumeTrendOption(emptySnapshot(), ctx)
    expect(empty.title).toMatchObject({ text: '' })
    expect(empty.series[0]!.data).toEqual([])
  })

  it('gives the bucket, volume and trades in the tooltip', () => {
    const formatter = (option.tooltip as { formatter: (p: TooltipParams) => string }).formatter
    expect(tooltipText(formatter({ dataIndex: 3 } as TooltipParams))).toEqual([
      '12:01:30 PM UTC – 12:02:00 PM',
      'AAPL volume 720',
      'trades 6',
    ])
  })
})
