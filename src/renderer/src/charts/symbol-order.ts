/** Items in the panel's symbol order (ctx.symbols), unlisted ones after them by name. */
export function inSymbolOrder<T>(
  items: readonly T[],
  symbolOf: (item: T) => string,
  order: readonly string[],
): T[] {
  const rank = (s: string): number => {
    const i = order.indexOf(s)
    return i < 0 ? order.length : i
  }
  return [...items].sort((a, b) => {
    const sa = symbolOf(a)
    const sb = symbolOf(b)
    return rank(sa) - rank(sb) || (sa < sb ? -1 : sa > sb ? 1 : 0)
  })
}
