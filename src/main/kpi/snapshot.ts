import type pg from 'pg'
import { kpiSnapshotSchema, type KpiSnapshot, type KpiSnapshotRequest } from '../../shared/kpi'

/**
 * All eight KPIs over [from, to) in one round trip, through the SQL function kpi_snapshot()
 * (sql/009_data_loss_complete_windows.sql, after sql/006). The JSON is validated, so a drift
 * between SQL and the shared type fails loudly here rather than as NaN in a chart.
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
  // ms epochs go in as integers and become timestamptz exactly (no float seconds).
  const { rows } = await pool.query<{ snapshot: unknown }>(
    `SELECT kpi_snapshot(timestamptz 'epoch' + $1::bigint * interval '1 millisecond',
                         timestamptz 'epoch' + $2::bigint * interval '1 millisecond',
                         $3::text, $4::integer, $5::text[]) AS snapshot`,
    [Math.floor(req.from), Math.floor(req.to), req.symbol ?? null, req.bucketS ?? null, req.symbols ?? null],
  )
  return kpiSnapshotSchema.parse(rows[0]?.snapshot)
}
