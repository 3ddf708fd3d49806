import type { CsvTable, ExportRequest, KpiCsvView } from '@shared/contract'
import { resolveWindow, type WatchRequest } from '@shared/windows'
import type { ViewId } from '../charts/types'

/** What the dashboard shows, as far as an export of it cares. */
export interface ShownWindow {
  /** the latest snapshot's [from, to), if there is one */
  shown: { from: number; to: number } | null
  watch: WatchRequest
  /** the subscription */
  subscribed: readonly string[] | null
  /** the volume trend's symbol as shown */
  volumeSymbol?: string | null
}

/**
 * The export of what the dashboard shows: the window of the latest snapshot (a sliding preset is
 * resolved at its tick), else the watched window resolved now. Trades are those of the subscribed
 * symbols (all without a list); a KPI table gets the list to name data loss's missing symbols, and
 * the volume trend keeps its symbol. Never a path: where the file goes is main's or the browser's
 * choice.
 */
export function exportRequestFor(table: CsvTable, w: ShownWindow, now: number): ExportRequest {
  const win = w.shown ?? resolveWindow(w.watch.window, now, null)
  const symbols = w.subscribed ? [...w.subscribed] : []
  const symbol = table === 'volume-trend' ? (w.volumeSymbol ?? w.watch.symbol) : undefined
  return {
    table,
    from: win.from,
    to: win.to,
    ...(symbols.length > 0 ? { symbols } : {}),
    ...(symbol ? { symbol } : {}),
  }
}

const KPI_TABLE_OF: Partial<Record<ViewId, KpiCsvView>> = {
  'avg-volume': 'symbols',
  'trade-count': 'symbols',
  'avg-price': 'symbols',
  'price-range': 'symbols',
  'trades-per-second': 'trades-per-second',
  'data-loss': 'data-loss',
  'volume-trend': 'volume-trend',
  latency: 'latency',
}

/** The KPI table behind a view, or null (consumer lag is sampled in memory, not stored). */
export function kpiTableOf(view: ViewId): KpiCsvView | null {
  return KPI_TABLE_OF[view] ?? null
}
