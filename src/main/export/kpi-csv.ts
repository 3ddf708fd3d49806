import { Readable, type Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type pg from 'pg'
import type { KpiCsvView } from '../../shared/contract'
import type { KpiSnapshot } from '../../shared/kpi'
import { bucketSecondsFor } from '../../shared/windows'
import { kpiSnapshot } from '../kpi/snapshot'
import { getThresholds } from '../postgres/thresholds'
import { csvText, isoCell, type Cell } from './csv-writer'

export interface KpiTableQuery {
  view: KpiCsvView
  /** ms epoch, inclusive */
  from: number
  /** ms epoch, exclusive */
  to: number
  /** the volume trend's symbol; default the window's most traded */
  symbol?: string
  /** the subscribed symbols: data loss names the ones missing from each window */
  symbols?: readonly string[]
}

/** A KPI view's table: its header, then one row per symbol, bucket or stage. */
export type Table = Cell[][]

/** Several symbols in one cell; `;` never occurs in a symbol, a space does (IC MARKETS:1). */
const list = (symbols: readonly string[]): string => symbols.join(';')

/**
 * One KPI view of a snapshot as a table, the way the dashboard's panel shows it. Times are ISO-8601
 * UTC; numbers stay numbers. Pure, so every view's columns are tested without a database.
 */
export function kpiTable(view: KpiCsvView, s: KpiSnapshot): Table {
  switch (view) {
    case 'symbols':
      return [
        [
          'symbol',
          'trades',
          'avg_volume',
          'total_volume',
          'avg_price',
          'min_price',
          'max_price',
          'price_range',
        ],
        ...s.symbols.map((k) => [
          k.symbol,
          k.trades,
          k.avgVolume,
          k.totalVolume,
          k.avgPrice,
          k.minPrice,
          k.maxPrice,
          k.priceRange,
        ]),
      ]
    case 'trades-per-second': {
      // Wide, as the chart draws it: the total, then one column per symbol. The prefix keeps a
      // symbol's name from ever starting a header cell.
      const by = s.tradesPerSecond.bySymbol
      return [
        ['bucket_start', 'trades', 'per_second', ...by.map((b) => `per_second ${b.symbol}`)],
        ...s.tradesPerSecond.buckets.map((b, i) => [
          isoCell(b.start),
          b.trades,
          b.perSecond,
          ...by.map((x) => x.perSecond[i] ?? null),
        ]),
      ]
    }
    case 'data-loss':
      // From a day on, the windows come summed per bucket, as the chart draws them (sql/012).
      if (s.dataLoss.summary)
        return [
          ['bucket_start', 'windows', 'idle_windows', 'short_windows', 'missing'],
          ...s.dataLoss.summary.buckets.map((b) => [
            isoCell(b.start),
            b.windows,
            b.idleWindows,
            b.shortWindows,
            list(b.missing),
          ]),
        ]
      return [
        [
          'window_start',
          'symbols_seen',
          'symbols_expected',
          'symbols_missing',
          'data_loss',
          'partial',
          'missing',
        ],
        ...s.dataLoss.buckets.map((b) => [
          isoCell(b.start),
          b.symbolsSeen,
          b.symbolsExpected,
          b.symbolsMissing,
          b.dataLoss,
          b.partial,
          list(b.missing),
        ]),
      ]
    case 'volume-trend':
      return [
        ['bucket_start', 'symbol', 'volume', 'trades'],
        ...s.volumeTrend.buckets.map((b) => [isoCell(b.start), s.volumeTrend.symbol, b.volume, b.trades]),
      ]
    case 'latency':
      return [
        ['stage', 'samples', 'avg_ms', 'p50_ms', 'p95_ms', 'p99_ms', 'max_ms'],
        ...s.latency.map((l) => [l.stage, l.samples, l.avgMs, l.p50Ms, l.p95Ms, l.p99Ms, l.maxMs]),
      ]
    case 'latency-trend':
      // Long: one row per bucket and stage, so a pivot table can pick the stages it wants.
      return [
        ['bucket_start', 'stage', 'p50_ms', 'p95_ms', 'p99_ms'],
        ...s.latencyTrend.start.flatMap((start, i) =>
          s.latencyTrend.stages.map((st) => [
            isoCell(start),
            st.stage,
            st.p50Ms[i] ?? null,
            st.p95Ms[i] ?? null,
            st.p99Ms[i] ?? null,
          ]),
        ),
      ]
  }
}

/**
 * The snapshot the dashboard would show for [from, to): the same bucket width for the window's
 * length (a few hundred points), so the CSV matches the panel.
 */
export async function kpiTableFor(pool: pg.Pool, q: KpiTableQuery): Promise<Table> {
  const { rate_interval_s } = await getThresholds(pool)
  const snap = await kpiSnapshot(pool, {
    from: q.from,
    to: q.to,
    symbol: q.symbol,
    symbols: q.symbols ? [...q.symbols] : undefined,
    bucketS: bucketSecondsFor(q.to - q.from, rate_interval_s),
  })
  return kpiTable(q.view, snap)
}

/** Writes a KPI view's table as CSV into `out`; a few thousand rows at most, so in one piece. */
export async function writeKpiCsv(
  pool: pg.Pool,
  q: KpiTableQuery,
  out: Writable,
  opts: { signal?: AbortSignal; end?: boolean } = {},
): Promise<{ rows: number }> {
  opts.signal?.throwIfAborted()
  const table = await kpiTableFor(pool, q)
  try {
    await pipeline(Readable.from([csvText(table)]), out, { signal: opts.signal, end: opts.end ?? true })
  } catch (err) {
    throw opts.signal?.aborted ? (opts.signal.reason ?? err) : err
  }
  return { rows: table.length - 1 }
}
