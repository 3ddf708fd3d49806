import type { FeedError } from '@shared/status'
import { MAX_SYMBOLS, symbolSchema } from '@shared/symbols'

/** The warning starts this many symbols before Finnhub's free-plan limit. */
export const LIMIT_MARGIN = 5

export type SymbolCheck = { ok: true; symbol: string } | { ok: false; message: string }

/** Checks what the user typed against the symbol rules and the current list. */
export function checkSymbol(text: string, list: readonly string[]): SymbolCheck {
  const symbol = text.trim()
  if (symbol === '') return { ok: false, message: 'type a symbol, e.g. AAPL or BINANCE:BTCUSDT' }
  const parsed = symbolSchema.safeParse(symbol)
  if (!parsed.success) return { ok: false, message: parsed.error.issues[0]?.message ?? 'invalid symbol' }
  if (list.includes(symbol)) return { ok: false, message: `${symbol} is already in the list` }
  if (list.length >= MAX_SYMBOLS)
    return { ok: false, message: `at most ${MAX_SYMBOLS} symbols per connection` }
  return { ok: true, symbol }
}

/** A warning as the list nears or reaches MAX_SYMBOLS; null while far from it. */
export function limitWarning(count: number): { level: 'near' | 'full'; message: string } | null {
  if (count >= MAX_SYMBOLS)
    return {
      level: 'full',
      message: `${count} of ${MAX_SYMBOLS} symbols: Finnhub's free plan allows no more`,
    }
  if (count >= MAX_SYMBOLS - LIMIT_MARGIN)
    return {
      level: 'near',
      message: `${count} of ${MAX_SYMBOLS} symbols: Finnhub's free plan allows ${MAX_SYMBOLS}`,
    }
  return null
}

/** The preset's symbols not in the list yet, in order, as many as still fit. */
export function presetAdditions(list: readonly string[], preset: readonly string[]): string[] {
  const room = Math.max(0, MAX_SYMBOLS - list.length)
  return preset.filter((s, i) => !list.includes(s) && preset.indexOf(s) === i).slice(0, room)
}

/** The newest feed error that names this symbol ("Invalid symbol NOPE"), if any. */
export function feedErrorFor(errors: readonly FeedError[], symbol: string): string | null {
  for (let i = errors.length - 1; i >= 0; i--) {
    const e = errors[i]
    if (e && e.symbol === symbol) return e.message
  }
  return null
}

/** The newest feed error that names no symbol ("Subscribing to too many symbols"), if any. */
export function generalFeedError(errors: readonly FeedError[]): FeedError | null {
  for (let i = errors.length - 1; i >= 0; i--) {
    const e = errors[i]
    if (e && e.symbol === null) return e
  }
  return null
}
