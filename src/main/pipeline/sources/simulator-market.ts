import type { FinnhubTrade } from '../../../shared/trade'

/** A seeded market for the simulator: deterministic for a given seed, call order and clock. */

export type AssetClass = 'stock' | 'crypto' | 'fx'

export interface SymbolProfile {
  symbol: string
  assetClass: AssetClass
  /** starting price */
  base: number
  decimals: number
  /** relative share of trades: crypto trades a lot, FX hardly at all */
  weight: number
  /** standard deviation of one step, relative to price */
  volatility: number
}

const CLASS_DEFAULTS: Record<AssetClass, Pick<SymbolProfile, 'decimals' | 'weight' | 'volatility'>> = {
  stock: { decimals: 2, weight: 1, volatility: 0.0002 },
  crypto: { decimals: 2, weight: 3, volatility: 0.00015 },
  fx: { decimals: 5, weight: 0.03, volatility: 0.00005 },
}

// What the assignment saw (DESIGN.md). IC MARKETS:1 is EUR/USD on that venue.
const KNOWN: Record<string, { assetClass: AssetClass; base: number }> = {
  AAPL: { assetClass: 'stock', base: 171.46 },
  AMZN: { assetClass: 'stock', base: 181.08 },
  'BINANCE:BTCUSDT': { assetClass: 'crypto', base: 60_000 },
  'IC MARKETS:1': { assetClass: 'fx', base: 1.085 },
}

const CRYPTO_VENUES = /^(BINANCE|COINBASE|KRAKEN|BITFINEX|BITSTAMP|GEMINI|HUOBI|KUCOIN|OKEX|POLONIEX|BYBIT):/i
const FX_VENUES = /^(OANDA|FXCM|FOREX\.COM|FXPRO|IC MARKETS|OCTAFX|PEPPERSTONE|SAXO|FX):/i

/** FNV-1a: a stable number per symbol, so an unknown symbol always gets the same base price. */
function hashUnit(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0) / 0x1_0000_0000
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals
  return Math.round(value * f) / f
}

/** The profile of any symbol: the assignment's four as seen, others with a plausible generated base. */
export function profileFor(symbol: string): SymbolProfile {
  const known = KNOWN[symbol]
  if (known) return { symbol, ...known, ...CLASS_DEFAULTS[known.assetClass] }
  const u = hashUnit(symbol)
  const upper = symbol.toUpperCase()
  let assetClass: AssetClass = 'stock'
  let base: number
  if (CRYPTO_VENUES.test(symbol)) {
    assetClass = 'crypto'
    if (upper.includes('BTC')) base = 55_000 + 10_000 * u
    else if (upper.includes('ETH')) base = 2_500 + 1_000 * u
    else base = 10 ** (-1 + 3 * u) // 0.1 .. 100
  } else if (FX_VENUES.test(symbol)) {
    assetClass = 'fx'
    base = upper.includes('JPY') ? 100 + 60 * u : 0.6 + u
  } else {
    base = 10 ** (1 + 2 * u) // 10 .. 1000, like most listed stocks
  }
  const defaults = CLASS_DEFAULTS[assetClass]
  return { symbol, assetClass, base: round(base, defaults.decimals), ...defaults }
}

/** mulberry32: tiny, fast, good enough for simulated markets. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const STOCK_CONDITIONS: (string[] | null)[] = [
  ['1'],
  ['1', '12'],
  ['1', '24'],
  ['12', '37'],
  ['1', '8'],
  null,
]

export class Market {
  private readonly rng: () => number
  private readonly profiles = new Map<string, SymbolProfile>()
  private readonly prices = new Map<string, number>()

  constructor(seed: number) {
    this.rng = createRng(seed)
  }

  profile(symbol: string): SymbolProfile {
    let p = this.profiles.get(symbol)
    if (!p) {
      p = profileFor(symbol)
      this.profiles.set(symbol, p)
    }
    return p
  }

  price(symbol: string): number {
    return this.prices.get(symbol) ?? this.profile(symbol).base
  }

  /** A frame size in [min, max], inclusive. */
  frameSize(min: number, max: number): number {
    return min + Math.floor(this.rng() * (max - min + 1))
  }

  /**
   * One frame of `size` trades. Mostly a burst of one symbol (so short windows miss symbols, as
   * the assignment saw); within a burst many trades repeat the previous one exactly.
   */
  nextFrame(symbols: readonly string[], size: number, now: number): FinnhubTrade[] {
    if (symbols.length === 0 || size <= 0) return []
    const mixed = this.rng() < 0.15
    let symbol = this.pickSymbol(symbols)
    let t = now - Math.floor(this.rng() * 40) // trades happen a little before we send them
    const trades: FinnhubTrade[] = []
    let prev: FinnhubTrade | undefined
    for (let i = 0; i < size; i++) {
      if (mixed && i > 0) symbol = this.pickSymbol(symbols)
      if (prev && prev.s === symbol && this.rng() < 0.35) {
        trades.push({ ...prev, c: prev.c ? [...prev.c] : prev.c })
        continue
      }
      if (this.rng() < 0.4) t += Math.floor(this.rng() * 5)
      prev = this.trade(symbol, Math.min(t, now))
      trades.push(prev)
    }
    return trades
  }

  private pickSymbol(symbols: readonly string[]): string {
    let total = 0
    for (const s of symbols) total += this.profile(s).weight
    let r = this.rng() * total
    for (const s of symbols) {
      r -= this.profile(s).weight
      if (r < 0) return s
    }
    return symbols[symbols.length - 1] as string
  }

  private gaussian(): number {
    const u = 1 - this.rng() // (0, 1]: log(0) would be -Infinity
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.rng())
  }

  private trade(symbol: string, t: number): FinnhubTrade {
    const prof = this.profile(symbol)
    const tick = 10 ** -prof.decimals
    const last = this.price(symbol)
    // A random walk with a weak pull to the base keeps long benchmark runs plausible.
    const next = last * (1 + prof.volatility * this.gaussian()) + (prof.base - last) * 0.0005
    const p = Math.max(tick, round(next, prof.decimals))
    this.prices.set(symbol, p)
    return { s: symbol, p, t, v: this.volume(prof.assetClass), c: this.conditions(prof.assetClass) }
  }

  private volume(assetClass: AssetClass): number {
    const r = this.rng()
    if (assetClass === 'fx') return r < 0.95 ? 0 : 1_000 * (1 + Math.floor(this.rng() * 10))
    if (assetClass === 'crypto') {
      // Price updates without volume, otherwise tiny fills: most BTC volumes are near zero.
      if (r < 0.08) return 0
      return Math.max(0.00001, round(Math.exp(-7.5 + 1.5 * this.gaussian()), 5))
    }
    if (r < 0.55) return 1 + Math.floor(this.rng() * 99)
    if (r < 0.9) return 100 * (1 + Math.floor(this.rng() * 5))
    return 1 + Math.floor(this.rng() * 2_000)
  }

  private conditions(assetClass: AssetClass): string[] | null {
    if (assetClass !== 'stock') return null
    const c = STOCK_CONDITIONS[Math.floor(this.rng() * STOCK_CONDITIONS.length)]
    return c ? [...c] : null
  }
}
