// latest.json keys and latest.md rows of the history phase (issue 13): kpi_snapshot() over 1, 7
// and 30 days of a simulated month, as kpi_snapshot_ms.d1/.d7/.d30.
import type { HistoryResult } from './history'
import { fmt } from './log'

export interface HistoryKeys {
  kpi_snapshot_ms?: Record<string, number | null>
  history_detail?: (HistoryResult & { at: string }) | null
  targets?: Record<string, { goal: string; value: number | null; met: boolean | null }>
}

/** The history keys merged into a report's own: d1/d7/d30 beside the other snapshot timings. */
export function withHistory<T extends HistoryKeys>(report: T, h: HistoryResult | null): T {
  if (!h) return report
  const d30 = h.kpi_snapshot_ms.d30
  return {
    ...report,
    kpi_snapshot_ms: { ...report.kpi_snapshot_ms, ...h.kpi_snapshot_ms },
    history_detail: { ...h, at: new Date().toISOString() },
    targets: { ...report.targets, kpi_snapshot_d30_ms: { goal: '<= 100', value: d30, met: d30 <= 100 } },
  }
}

export function historyRows(r: HistoryKeys): string[] {
  const h = r.history_detail
  if (!h) return []
  const runs = (k: string): string => (h.runs_ms[k] ?? []).map((x) => fmt(x, 1)).join(', ')
  const what =
    `${h.days} days of rollups, ${fmt(h.trades_per_day)} trades/day, ${h.symbols} symbols (${h.at}; ` +
    `filled in ${fmt(h.fill_s, 1)} s, sql/012's backfill ${fmt(h.backfill_s, 1)} s)`
  return [
    '| kpi_snapshot over a window (history) | median ms | warm runs, ms | goal |',
    '| --- | --- | --- | --- |',
    `| last 24 hours: ${what} | ${fmt(h.kpi_snapshot_ms.d1, 1)} | ${runs('d1')} | |`,
    `| last 7 days | ${fmt(h.kpi_snapshot_ms.d7, 1)} | ${runs('d7')} | |`,
    `| last 30 days | ${fmt(h.kpi_snapshot_ms.d30, 1)} | ${runs('d30')} | <= 100 |`,
  ]
}
