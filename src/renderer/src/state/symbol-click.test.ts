import { describe, expect, it } from 'vitest'
import { clickedSymbol } from './symbol-click'

const SYMBOLS = ['AAPL', 'BINANCE:BTCUSDT', 'IC MARKETS:1']

describe('clickedSymbol', () => {
  it('names the symbol of a bar or slice, or of a symbol’s own series', () => {
    expect(
      clickedSymbol({ componentType: 'series', name: 'IC MARKETS:1', seriesName: 'Trades' }, SYMBOLS),
    ).toBe('IC MARKETS:1')
    expect(clickedSymbol({ componentType: 'series', name: '', seriesName: 'BINANCE:BTCUSDT' }, SYMBOLS)).toBe(
      'BINANCE:BTCUSDT',
    )
  })

  it('names nothing for a total, a time bucket, a mark or anything outside a series', () => {
    expect(clickedSymbol({ componentType: 'series', name: '', seriesName: 'Total' }, SYMBOLS)).toBeNull()
    expect(
      clickedSymbol({ componentType: 'series', name: 1705320000000, seriesName: 'lag' }, SYMBOLS),
    ).toBeNull()
    expect(clickedSymbol({ componentType: 'markLine', name: 'AAPL' }, SYMBOLS)).toBeNull()
    expect(clickedSymbol({ componentType: 'title', name: 'AAPL' }, SYMBOLS)).toBeNull()
    expect(clickedSymbol({ componentType: 'series', name: 'MSFT' }, SYMBOLS)).toBeNull()
  })
})
