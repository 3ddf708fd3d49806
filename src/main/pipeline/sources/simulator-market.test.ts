import { describe, expect, it } from 'vitest'
import { finnhubTradeSchema, type FinnhubTrade } from '../../../shared/trade'
import { DEFAULT_SYMBOLS } from '../../../shared/symbols'
import { createRng, Market, profileFor } from './simulator-market'

const NOW = 1_714_000_000_000

function run(seed: number, frames: number, symbols = DEFAULT_SYMBOLS): FinnhubTrade[] {
  const market = new Market(seed)
  const out: FinnhubTrade[] = []
  for (let i = 0; i < frames; i++)
    out.push(...market.nextFrame(symbols, market.frameSize(1, 10), NOW + i * 100))
  return out
}

const bySymbol = (trades: FinnhubTrade[], s: string): FinnhubTrade[] => trades.filter((t) => t.s === s)
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN

describe('Market', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    expect(run(7, 200)).toEqual(run(7, 200))
    expect(run(7, 200)).not.toEqual(run(8, 200))
    expect(createRng(1)()).toBe(createRng(1)())
  })

  it('produces only valid trades, of the subscribed symbols only', () => {
    const trades = run(1, 2_000)
    for (const t of trades) expect(finnhubTradeSchema.safeParse(t).success).toBe(true)
    expect(new Set(trades.map((t) => t.s))).toEqual(new Set(DEFAULT_SYMBOLS))
    expect(run(1, 50, ['AMZN']).every((t) => t.s === 'AMZN')).toBe(true)
  })

  it('stays near the prices the assignment saw', () => {
    const trades = run(3, 3_000)
    expect(median(bySymbol(trades, 'AAPL').map((t) => t.p))).toBeGreaterThan(171.46 * 0.95)
    expect(median(bySymbol(trades, 'AAPL').map((t) => t.p))).toBeLessThan(171.46 * 1.05)
    expect(median(bySymbol(trades, 'AMZN').map((t) => t.p))).toBeGreaterThan(181.08 * 0.95)
    expect(median(bySymbol(trades, 'AMZN').map((t) => t.p))).toBeLessThan(181.08 * 1.05)
    const btc = bySymbol(trades, 'BINANCE:BTCUSDT')
    expect(median(btc.map((t) => t.p))).toBeGreaterThan(57_000)
    expect(median(btc.map((t) => t.p))).toBeLessThan(63_000)
    expect(median(btc.map((t) => t.v))).toBeLessThan(0.01) // most BTC volumes are near zero
    expect(btc.some((t) => t.v === 0)).toBe(true)
  })

  it('gives FX very few trades, mostly with volume 0', () => {
    const trades = run(4, 3_000)
    const fx = bySymbol(trades, 'IC MARKETS:1')
    expect(fx.length).toBeGreaterThan(0)
    expect(fx.length).toBeLessThan(trades.length * 0.03)
    expect(fx.filter((t) => t.v === 0).length).toBeGreaterThan(fx.length / 2)
  })

  it('repeats identical trades within a burst', () => {
    const market = new Market(5)
    let repeats = 0
    for (let i = 0; i < 200; i++) {
      const frame = market.nextFrame(['AAPL'], 8, NOW)
      for (let j = 1; j < frame.length; j++)
        if (JSON.stringify(frame[j]) === JSON.stringify(frame[j - 1])) repeats++
    }
    expect(repeats).toBeGreaterThan(100)
  })

  it('mostly sends one symbol per frame', () => {
    const market = new Market(6)
    let single = 0
    for (let i = 0; i < 500; i++)
      if (new Set(market.nextFrame(['AAPL', 'AMZN'], 6, NOW).map((t) => t.s)).size === 1) single++
    expect(single).toBeGreaterThan(350)
  })

  it('gives unknown symbols a plausible, stable base price by asset class', () => {
    const msft = profileFor('MSFT')
    expect(msft).toEqual(profileFor('MSFT'))
    expect(msft.assetClass).toBe('stock')
    expect(msft.base).toBeGreaterThanOrEqual(10)
    expect(msft.base).toBeLessThanOrEqual(1_000)
    expect(profileFor('BINANCE:ETHUSDT')).toMatchObject({ assetClass: 'crypto' })
    expect(profileFor('BINANCE:ETHUSDT').base).toBeGreaterThan(2_000)
    expect(profileFor('OANDA:EUR_USD')).toMatchObject({ assetClass: 'fx' })
    expect(profileFor('OANDA:USD_JPY').base).toBeGreaterThan(99)
    expect(profileFor('IC MARKETS:1').base).toBe(1.085)
  })

  it('frameSize stays in range and covers it', () => {
    const market = new Market(9)
    const sizes = new Set(Array.from({ length: 500 }, () => market.frameSize(2, 5)))
    expect([...sizes].sort()).toEqual([2, 3, 4, 5])
  })
})
