/**
 * One accent colour per symbol, the same in every view and across refreshes. Mid-lightness hues
 * that read on both a white and a near-black panel; red is left out, as it means "warning".
 * The order only places the four default symbols on the clearest hues.
 */
export const PALETTE: readonly string[] = [
  '#2fb5b5', // teal
  '#f2628c', // pink
  '#b07a4f', // brown
  '#b877d9', // purple (IC MARKETS:1 hashes here)
  '#8e9a2f', // olive
  '#5794f2', // blue (AAPL)
  '#ff9830', // orange (BINANCE:BTCUSDT)
  '#d8a500', // gold
  '#8c8c9c', // grey
  '#56a64b', // green (AMZN)
]

/** FNV-1a: a fast, well-spread 32-bit hash, stable across runs and platforms. */
function hash(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** The palette slot a symbol prefers when nothing else claims it. */
export function preferredSlot(symbol: string): number {
  return hash(symbol) % PALETTE.length
}

/**
 * A colour function for a list of symbols. Each symbol takes its hashed slot, or probes onward to
 * the next slot that is least used so far, so the listed symbols stay distinct while the palette
 * lasts. Slots are given in list order: a symbol appended to the subscription never moves the
 * colours of those before it. Symbols not in the list get their hashed slot.
 */
export function colorFor(symbols: readonly string[]): (symbol: string) => string {
  const assigned = new Map<string, string>()
  const uses: number[] = PALETTE.map(() => 0)
  for (const symbol of symbols) {
    if (assigned.has(symbol)) continue
    const least = Math.min(...uses)
    const start = preferredSlot(symbol)
    let slot = start
    for (let step = 0; step < PALETTE.length; step++) {
      const probe = (start + step) % PALETTE.length
      if (uses[probe] === least) {
        slot = probe
        break
      }
    }
    uses[slot] = (uses[slot] ?? 0) + 1
    assigned.set(symbol, PALETTE[slot] ?? PALETTE[0]!)
  }
  return (symbol) => assigned.get(symbol) ?? PALETTE[preferredSlot(symbol)] ?? PALETTE[0]!
}
