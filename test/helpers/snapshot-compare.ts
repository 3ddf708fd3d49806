import { expect } from 'vitest'
import {
  candlesSchema,
  kpiSnapshotSchema,
  type Candles,
  LATENCY_RELATIVE_ERROR,
  type KpiSnapshot,
  type KpiSnapshotRequest,
} from '../../src/shared/kpi'
import type { Database } from '../../src/main/postgres/database'

/*
 * Test helpers: kpi_snapshot_raw(), the exact reference over raw trades, and a comparison of a
 * rollup snapshot with it.
 */

const ms = (i: number): string => `timestamptz 'epoch' + ${i}::bigint * interval '1 ms'`

const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b))

/**
 * The candles of one symbol straight from raw trades, by another route than sql/016 (no marks, no
 * merging): open and close by DISTINCT ON over (traded_at, price), the tie rule of sql/016.
 */
export async function rawCandles(
  pool: Database['pool'],
  symbol: string | null,
  from: number,
  to: number,
  bucketS: number,
): Promise<Candles> {
  const { rows } = await pool.query<{ c: unknown }>(
    `WITH t AS (SELECT kpi_bucket(traded_at, $2) AS b, traded_at, price, volume FROM trades
                WHERE symbol = $1 AND traded_at >= ${ms(from)} AND traded_at < ${ms(to)}),
     o AS (SELECT DISTINCT ON (b) b, price AS open FROM t ORDER BY b, traded_at, price),
     c AS (SELECT DISTINCT ON (b) b, price AS close FROM t ORDER BY b, traded_at DESC, price DESC),
     g AS (SELECT b, count(*) AS n, sum(volume) AS v, max(price) AS hi, min(price) AS lo,
                  sum(price * volume) AS pv, avg(price) AS mean FROM t GROUP BY b)
     SELECT jsonb_build_object('symbol', $1::text, 'bucketS', $2::float8, 'buckets', coalesce(jsonb_agg(
              jsonb_build_object('start', kpi_ms(b), 'open', open, 'high', hi, 'low', lo, 'close', close,
                'volume', v, 'trades', n, 'vwap', CASE WHEN v = 0 THEN mean ELSE pv / v END) ORDER BY b), '[]')) AS c
     FROM g JOIN o USING (b) JOIN c USING (b)`,
    [symbol, bucketS],
  )
  return candlesSchema.parse(rows[0]!.c)
}

/** kpi_snapshot_raw(): every KPI straight from raw trades, exact percentiles; candles from rawCandles(). */
export async function rawSnapshot(db: Database, req: KpiSnapshotRequest): Promise<KpiSnapshot> {
  const { rows } = await db.pool.query<{ s: Omit<KpiSnapshot, 'candles'> }>(
    `SELECT kpi_snapshot_raw(${ms(req.from)}, ${ms(req.to)}, $1, $2, $3) AS s`,
    [req.symbol ?? null, req.bucketS ?? null, req.symbols ?? null],
  )
  const s = rows[0]!.s
  const candles = await rawCandles(db.pool, s.volumeTrend.symbol, req.from, req.to, s.bucketS)
  return kpiSnapshotSchema.parse({ ...s, candles })
}

/** Candles equal: starts, trades, prices exactly (open/close/high/low are prices); volume and VWAP to 1e-9. */
export function expectSameCandles(a: Candles, b: Candles): void {
  const exact = (c: Candles): unknown[] =>
    c.buckets.map((x) => [x.start, x.trades, x.open, x.high, x.low, x.close])
  expect([a.symbol, a.bucketS]).toEqual([b.symbol, b.bucketS])
  expect(exact(a)).toEqual(exact(b))
  a.buckets.forEach((x, i) => {
    const r = b.buckets[i]!
    expect(close(x.volume, r.volume), `volume @${x.start}: ${x.volume} vs ${r.volume}`).toBe(true)
    if (r.vwap === null || x.vwap === null) expect(x.vwap).toBe(r.vwap)
    else expect(close(x.vwap, r.vwap), `vwap @${x.start}: ${x.vwap} vs ${r.vwap}`).toBe(true)
  })
}

/** |estimate - exact| within the histograms' bound (see LATENCY_RELATIVE_ERROR). */
function expectWithinBound(estimate: number | null, exact: number | null, what: string, bound: number): void {
  if (exact === null) return expect(estimate, what).toBeNull()
  expect(estimate, what).not.toBeNull()
  expect(Math.abs(estimate! - exact), `${what}: ${estimate} vs exact ${exact}`).toBeLessThanOrEqual(
    bound * Math.abs(exact) + 1e-9,
  )
}

/**
 * KPIs 1-7 equal (float sums to 1e-9): window, totals, the KPI 2 series with its per-symbol split,
 * the KPI 5 buckets with their missing symbols, the candles (expectSameCandles). KPI 8: samples and max exact, avg to 1e-9,
 * percentiles (summary and trend) within the bound, the trend's buckets equal.
 */
export function expectSameKpis(a: KpiSnapshot, b: KpiSnapshot, bound = LATENCY_RELATIVE_ERROR): void {
  const { symbols, volumeTrend, latency, latencyTrend, candles, ...rest } = a
  const { symbols: bs, volumeTrend: bv, latency: bl, latencyTrend: bt, candles: bc, ...brest } = b
  expect(rest).toEqual(brest)
  expectSameCandles(candles, bc)
  expect(symbols.map((s) => [s.symbol, s.trades, s.minPrice, s.maxPrice])).toEqual(
    bs.map((s) => [s.symbol, s.trades, s.minPrice, s.maxPrice]),
  )
  symbols.forEach((s, i) => {
    const r = bs[i]!
    for (const k of ['avgVolume', 'totalVolume', 'avgPrice', 'priceRange'] as const)
      expect(close(s[k], r[k]), `${s.symbol} ${k}: ${s[k]} vs ${r[k]}`).toBe(true)
  })
  expect(volumeTrend.symbol).toBe(bv.symbol)
  expect(volumeTrend.buckets.map((x) => [x.start, x.trades])).toEqual(
    bv.buckets.map((x) => [x.start, x.trades]),
  )
  volumeTrend.buckets.forEach((x, i) => expect(close(x.volume, bv.buckets[i]!.volume)).toBe(true))
  expect(latency.map((l) => [l.stage, l.samples, l.maxMs])).toEqual(
    bl.map((l) => [l.stage, l.samples, l.maxMs]),
  )
  latency.forEach((l, i) => {
    const r = bl[i]!
    if (r.avgMs === null) return expect(l).toEqual(r)
    expect(close(l.avgMs!, r.avgMs)).toBe(true)
    for (const k of ['p50Ms', 'p95Ms', 'p99Ms'] as const)
      expectWithinBound(l[k], r[k], `${l.stage} ${k}`, bound)
  })
  expect(latencyTrend.start).toEqual(bt.start)
  expect(latencyTrend.stages.map((s) => s.stage)).toEqual(bt.stages.map((s) => s.stage))
  latencyTrend.stages.forEach((s, i) => {
    for (const k of ['p50Ms', 'p95Ms', 'p99Ms'] as const) {
      const exact = bt.stages[i]![k]
      expect(s[k]).toHaveLength(latencyTrend.start.length)
      expect(exact).toHaveLength(latencyTrend.start.length)
      s[k].forEach((v, j) =>
        expectWithinBound(v, exact[j] ?? null, `trend ${s.stage} ${k} @${latencyTrend.start[j]}`, bound),
      )
    }
  })
}
