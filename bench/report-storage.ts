// latest.json keys and latest.md rows of the storage phase (issue 13).
import { fmt } from './log'
import type { StorageMonthResult } from './storage-month'

export interface StorageKeys {
  storage?: {
    /** bytes a stored trade costs at the Demo rate, everything counted (goal <= 150) */
    bytes_per_trade: number
    /** at 400 trades/s, once the finished days' indexes are packed; and as written, for today */
    bytes_per_trade_live: number
    bytes_per_trade_live_unpacked: number
    /** detach + drop of one day of 1M trades, median */
    drop_day_ms: number
    /** the writer's longest batch while days are dropped under 2,000 trades/s (goal <= 100) */
    writer_stall_ms: number
  } | null
  storage_detail?: (StorageMonthResult & { at: string }) | null
}

export function storageKeys(r: StorageMonthResult | null): StorageKeys {
  if (!r) return {}
  return {
    storage: {
      bytes_per_trade: r.demo.bytes_per_trade,
      bytes_per_trade_live: r.livePacked.bytes_per_trade,
      bytes_per_trade_live_unpacked: r.live.bytes_per_trade,
      drop_day_ms: r.dropDayMs,
      writer_stall_ms: r.writerStallMs,
    },
    storage_detail: { ...r, at: new Date().toISOString() },
  }
}

/** The storage phase's table, or nothing when it has not run. */
export function storageRows(r: StorageKeys): string[] {
  const d = r.storage_detail
  if (!d) return []
  const gb = (b: number): string => `${fmt(b / 1e9, 2)} GB`
  return [
    '| storage | value | goal |',
    '| --- | --- | --- |',
    `| bytes per stored trade, 1M trades at the Demo rate (${d.at}) | ${d.demo.bytes_per_trade} (heap ${d.demo.heap_bytes_per_trade}, index ${d.demo.index_bytes_per_trade}) | <= 150 |`,
    `| the same at 400 trades/s: finished days packed / as written | ${d.livePacked.bytes_per_trade} / ${d.live.bytes_per_trade} | <= 150 |`,
    `| a simulated month: ${d.month.days} day partitions | ${fmt(d.month.trades)} trades, ${gb(d.month.bytes)}, filled in ${fmt(d.month.fillSeconds, 0)} s | |`,
    `| removing one day (detach + drop), median | ${fmt(d.dropDayMs, 1)} ms (${d.drops.map((x) => fmt(x, 0)).join(', ')}) | |`,
    `| the writer's longest batch while days go, 2,000 trades/s / before | ${fmt(d.writerStallMs, 1)} / ${fmt(d.writerBaselineMs, 1)} ms | <= 100 |`,
  ]
}
