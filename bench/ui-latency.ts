import type pg from 'pg'
import type { Percentiles } from './latency'
import type { Paint } from './ui-page'

/** Trades sampled per ui run for trade → chart; the percentiles come from these. */
export const TRADE_SAMPLE = 20_000

export interface TradeToChart extends Percentiles {
  samples: number
  /** trades written in the interval that the sample was drawn from */
  population: number
  /** trades of the sample that no painted snapshot held yet (written after the last one) */
  unmatched: number
}

/** Linear-interpolated percentile (percentile_cont's rule) of sorted values. */
export function percentileOfSorted(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN
  const h = q * (sorted.length - 1)
  const lo = Math.floor(h)
  const hi = Math.ceil(h)
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!)
}

/**
 * For each trade, the first paint whose snapshot holds it (snapshotAt ≥ written_at) gives
 * latency = paintedAt − received_at. Paints are sorted by snapshotAt with a suffix minimum of
 * paintedAt, so "first painted among those that hold it" is one binary search per trade.
 * Returns the latencies in ms and how many trades no paint held.
 */
export function matchTradesToPaints(
  trades: { receivedAt: number; writtenAt: number }[],
  paints: Paint[],
): { latencies: number[]; unmatched: number } {
  const ps = paints.filter((p) => Number.isFinite(p.snapshotAt)).sort((a, b) => a.snapshotAt - b.snapshotAt)
  const firstPaint = new Array<number>(ps.length)
  for (let i = ps.length - 1, min = Infinity; i >= 0; i--) {
    min = Math.min(min, ps[i]!.paintedAt)
    firstPaint[i] = min
  }
  const latencies: number[] = []
  let unmatched = 0
  for (const t of trades) {
    let lo = 0
    let hi = ps.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (ps[mid]!.snapshotAt >= t.writtenAt) hi = mid
      else lo = mid + 1
    }
    if (lo === ps.length) unmatched += 1
    else latencies.push(firstPaint[lo]! - t.receivedAt)
  }
  return { latencies, unmatched }
}

/**
 * A uniform random sample of the trades written in [from, to) (ms epochs), with their receive
 * and write stamps as ms, and the size of the population it was drawn from.
 */
export async function sampleTrades(
  pool: pg.Pool,
  from: number,
  to: number,
  n = TRADE_SAMPLE,
): Promise<{ trades: { receivedAt: number; writtenAt: number }[]; population: number }> {
  const { rows } = await pool.query<{ r: number; w: number; n: string }>(
    `SELECT extract(epoch FROM received_at)::float8 * 1000 AS r,
            extract(epoch FROM written_at)::float8 * 1000 AS w,
            count(*) OVER () AS n
       FROM trades
      WHERE written_at >= timestamptz 'epoch' + $1::bigint * interval '1 ms'
        AND written_at < timestamptz 'epoch' + $2::bigint * interval '1 ms'
        AND received_at IS NOT NULL
      ORDER BY random()
      LIMIT $3`,
    [Math.floor(from), Math.floor(to), n],
  )
  return {
    trades: rows.map((r) => ({ receivedAt: r.r, writtenAt: r.w })),
    population: Number(rows[0]?.n ?? 0),
  }
}

/** Trade → chart percentiles over the trades written while the page was measured. */
export async function tradeToChart(
  pool: pg.Pool,
  paints: Paint[],
  from: number,
): Promise<TradeToChart | null> {
  const held = paints.filter((p) => Number.isFinite(p.snapshotAt))
  if (held.length === 0) return null
  // Only trades some painted snapshot can hold: written before the newest painted snapshotAt.
  const to = Math.max(...held.map((p) => p.snapshotAt))
  if (to <= from) return null
  const { trades, population } = await sampleTrades(pool, from, to)
  const { latencies, unmatched } = matchTradesToPaints(trades, held)
  if (latencies.length === 0) return null
  latencies.sort((a, b) => a - b)
  return {
    p50: percentileOfSorted(latencies, 0.5),
    p95: percentileOfSorted(latencies, 0.95),
    p99: percentileOfSorted(latencies, 0.99),
    max: latencies[latencies.length - 1]!,
    samples: latencies.length,
    population,
    unmatched,
  }
}
