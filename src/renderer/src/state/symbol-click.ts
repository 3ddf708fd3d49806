/** What ECharts passes to a click listener, as far as picking a symbol cares. */
export interface ChartClick {
  componentType?: string
  /** the data item's name: a symbol's bar, slice or category */
  name?: unknown
  /** the series' name: a symbol's own line */
  seriesName?: unknown
}

/**
 * The symbol a click on a chart names, or null: a data item named by a symbol (the bars and slices
 * of the per-symbol views), else a series named by one (a symbol's line in trades per second).
 * Only names in `symbols` count, so a total, a threshold or a time bucket picks nothing.
 */
export function clickedSymbol(click: ChartClick, symbols: readonly string[]): string | null {
  if (click.componentType !== 'series') return null
  for (const name of [click.name, click.seriesName]) {
    if (typeof name === 'string' && symbols.includes(name)) return name
  }
  return null
}
