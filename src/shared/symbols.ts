import { z } from 'zod'

/** Finnhub allows this many symbols per connection on a free key. */
export const MAX_SYMBOLS = 50

/**
 * Finnhub symbols hold letters, digits and `: . _ - / ^ = &` and inner spaces
 * (`BINANCE:BTCUSDT`, `OANDA:EUR_USD`, `IC MARKETS:1`, `BRK.B`). Case is kept as given.
 */
export const SYMBOL_PATTERN = /^[A-Za-z0-9^][A-Za-z0-9:._\-/^=& ]{0,62}[A-Za-z0-9._\-/=&]$|^[A-Za-z0-9]$/

export const symbolSchema = z
  .string()
  .regex(SYMBOL_PATTERN, 'symbol must be 1–64 letters, digits or : . _ - / ^ = & and inner spaces')

export const symbolListSchema = z
  .array(symbolSchema)
  .min(1, 'subscribe to at least one symbol')
  .max(MAX_SYMBOLS, `at most ${MAX_SYMBOLS} symbols per connection`)
  .refine((list) => new Set(list).size === list.length, 'symbols must not repeat')

/** Parses "AAPL, AMZN,IC MARKETS:1" into a validated list; throws a ZodError with the reason. */
export function parseSymbolList(text: string): string[] {
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
  return symbolListSchema.parse(list)
}

/** The assignment's four symbols: the default subscription. */
export const DEFAULT_SYMBOLS = ['AAPL', 'AMZN', 'BINANCE:BTCUSDT', 'IC MARKETS:1']
