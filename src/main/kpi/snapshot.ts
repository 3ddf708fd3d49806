import type pg from 'pg'
import { kpiSnapshotSchema, type KpiSnapshot, type KpiSnapshotRequest } from '../../shared/kpi'

/**
 * All eight KPIs over [from, to) in one round trip, through the SQL function kpi_snapshot() (its
 * live definition: sql/README.md), and the candles of its symbol through kpi_candles() (sql/016).
 * The JSON is validated, so a drift between SQL and the shared type fails loudly here rather than
 * as NaN in a chart.
 */
export async function kpiSnapshot(
  pool: pg.Pool | pg.ClientBase,
  req: KpiSnapshotRequest,
): Promise<KpiSnapshot> {
  if (!Number.isFinite(req.from) || !Number.isFinite(req.to) || req.to <= req.from) {
    throw new RangeError(`kpiSnapshot needs from < to as ms epochs, got ${req.from} and ${req.to}`)
  }
  if (req.bucketS !== undefined && !(Number.isSafeInteger(req.bucketS) && req.bucketS >= 1)) {
    throw new RangeError(`kpiSnapshot needs bucketS as whole seconds >= 1, got ${req.bucketS}`)
  }
  // ms epochs go in as integers and become timestamptz exactly (no float seconds). The candles are
  // those of the snapshot's own symbol and buckets, in the same round trip (MATERIALIZED: the
  // snapshot is computed once, though read twice).
  const { rows } = await pool.query<{ snapshot: Record<string, unknown>; candles: unknown }>(
    `WITH w AS (SELECT timestamptz 'epoch' + $1::bigint * interval '1 millisecond' AS f,
                       timestamptz 'epoch' + $2::bigint * interval '1 millisecond' AS t),
     k AS MATERIALIZED (SELECT w.f, w.t, kpi_snapshot(w.f, w.t, $3::text, $4::integer, $5::text[]) AS s FROM w)
     SELECT s AS snapshot,
            kpi_candles(s -> 'volumeTrend' ->> 'symbol', f, t, (s ->> 'bucketS')::double precision) AS candles
     FROM k`,
    [Math.floor(req.from), Math.floor(req.to), req.symbol ?? null, req.bucketS ?? null, req.symbols ?? null],
  )
  const row = rows[0]
  return kpiSnapshotSchema.parse(row && { ...row.snapshot, candles: row.candles })
}
