import { expect } from 'vitest'
import {
  kpiSnapshotSchema,
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

/** kpi_snapshot_raw(): every KPI straight from raw trades, exact percentiles. */
export async function rawSnapshot(db: Database, req: KpiSnapshotRequest): Promise<KpiSnapshot> {
  const { rows } = await db.pool.query<{ s: unknown }>(
    `SELECT kpi_snapshot_raw(${ms(req.from)}, ${ms(req.to)}, $1, $2, $3) AS s`,
    [req.symbol ?? null, req.bucketS ?? null, req.symbols ?? null],
  )
  return kpiSnapshotSchema.parse(rows[0]!.s)
}

const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b))

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
 * the KPI 5 buckets with their missing symbols. KPI 8: samples and max exact, avg to 1e-9,
 * percentiles (summary and trend) within the bound, the trend's buckets equal.
 */
export function expectSameKpis(a: KpiSnapshot, b: KpiSnapshot, bound = LATENCY_RELATIVE_ERROR): void {
  const { symbols, volumeTrend, latency, latencyTrend, ...rest } = a
  const { symbols: bs, volumeTrend: bv, latency: bl, latencyTrend: bt, ...brest } = b
  expect(rest).toEqual(brest)
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
