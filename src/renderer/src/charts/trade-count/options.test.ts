import { describe, expect, it } from 'vitest'
import type { TooltipParams } from '../tooltip'
import { makeContext, makeKpis, makeSnapshot, tooltipText } from '../fixture'
import { buildTradeCountOption } from './options'

describe('trade-count options', () => {
  const ctx = makeContext()
  const option = buildTradeCountOption(makeSnapshot(), ctx)

  it('has one slice per symbol with its trade count and colour', () => {
    expect(option.series).toHaveLength(1)
    expect(option.series[0]).toMatchObject({ id: 'trade-count', type: 'pie' })
    expect(option.series[0]!.data).toEqual([
      { name: 'AAPL', value: 40, itemStyle: { color: ctx.colorOf('AAPL') } },
      { name: 'AMZN', value: 30, itemStyle: { color: ctx.colorOf('AMZN') } },
      { name: 'BINANCE:BTCUSDT', value: 25, itemStyle: { color: ctx.colorOf('BINANCE:BTCUSDT') } },
      { name: 'IC MARKETS:1', value: 5, itemStyle: { color: ctx.colorOf('IC MARKETS:1') } },
    ])
  })

  it('follows the panel order, not the SQL order', () => {
    const reordered = makeContext({ symbols: ['IC MARKETS:1', 'AAPL', 'AMZN', 'BINANCE:BTCUSDT'] })
    const names = (
      buildTradeCountOption(makeSnapshot(), reordered).series[0]!.data as { name: string }[]
    ).map((d) => d.name)
    expect(names).toEqual(['IC MARKETS:1', 'AAPL', 'AMZN', 'BINANCE:BTCUSDT'])
  })

  it('leaves out symbols without trades', () => {
    const symbols = makeKpis().symbols.map((s) => (s.symbol === 'AMZN' ? { ...s, trades: 0 } : s))
    const data = buildTradeCountOption(makeSnapshot({ symbols }), ctx).series[0]!.data as { name: string }[]
    expect(data.map((d) => d.name)).toEqual(['AAPL', 'BINANCE:BTCUSDT', 'IC MARKETS:1'])
  })

  it('gives count and share in the tooltip, per locale', () => {
    const de = buildTradeCountOption(makeSnapshot(), makeContext({ locale: 'de-DE' }))
    const formatter = (de.tooltip as { formatter: (p: TooltipParams) => string }).formatter
    expect(tooltipText(formatter({ dataIndex: 3, name: 'IC MARKETS:1' } as TooltipParams))).toEqual([
      'IC MARKETS:1',
      'trades 5',
      'share 5 %',
      'all symbols 100',
    ])
  })
})
