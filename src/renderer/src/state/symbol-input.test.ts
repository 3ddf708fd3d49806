import { describe, expect, it } from 'vitest'
import { MAX_SYMBOLS } from '@shared/symbols'
import { checkSymbol, feedErrorFor, generalFeedError, limitWarning, presetAdditions } from './symbol-input'

const many = (n: number): string[] => Array.from({ length: n }, (_, i) => `S${i}`)

describe('checkSymbol', () => {
  it('accepts Finnhub spellings, trimmed', () => {
    expect(checkSymbol('  IC MARKETS:1 ', [])).toEqual({ ok: true, symbol: 'IC MARKETS:1' })
    expect(checkSymbol('BINANCE:BTCUSDT', ['AAPL'])).toEqual({ ok: true, symbol: 'BINANCE:BTCUSDT' })
  })
  it('refuses empty, malformed, duplicate and over-limit input', () => {
    expect(checkSymbol('  ', [])).toMatchObject({ ok: false })
    expect(checkSymbol('AA PL!', [])).toMatchObject({
      ok: false,
      message: expect.stringContaining('symbol must'),
    })
    expect(checkSymbol('AAPL', ['AAPL'])).toEqual({ ok: false, message: 'AAPL is already in the list' })
    expect(checkSymbol('NEW', many(MAX_SYMBOLS))).toMatchObject({
      ok: false,
      message: expect.stringContaining('at most'),
    })
  })
})

describe('limitWarning', () => {
  it('warns near and at the limit', () => {
    expect(limitWarning(4)).toBeNull()
    expect(limitWarning(MAX_SYMBOLS - 5)?.level).toBe('near')
    expect(limitWarning(MAX_SYMBOLS)?.level).toBe('full')
  })
})

describe('presetAdditions', () => {
  it('skips duplicates and stops at the limit', () => {
    expect(presetAdditions(['AAPL'], ['AAPL', 'MSFT', 'MSFT', 'NVDA'])).toEqual(['MSFT', 'NVDA'])
    expect(presetAdditions(many(MAX_SYMBOLS - 1), ['A', 'B'])).toEqual(['A'])
  })
})

describe('feed errors', () => {
  const errors = [
    { symbol: 'NOPE', message: 'Invalid symbol NOPE (old)', at: 1 },
    { symbol: null, message: 'Subscribing to too many symbols', at: 2 },
    { symbol: 'NOPE', message: 'Invalid symbol NOPE', at: 3 },
  ]
  it('finds the newest per symbol and the newest general one', () => {
    expect(feedErrorFor(errors, 'NOPE')).toBe('Invalid symbol NOPE')
    expect(feedErrorFor(errors, 'AAPL')).toBeNull()
    expect(generalFeedError(errors)?.message).toBe('Subscribing to too many symbols')
  })
})
