import type pg from 'pg'
import {
  DEFAULT_THRESHOLDS,
  isThresholdId,
  parseThreshold,
  ThresholdError,
  type ThresholdId,
  type Thresholds,
} from '../../shared/thresholds'

type Queryable = pg.Pool | pg.ClientBase

/** All thresholds; a row deleted by hand falls back to its default, unknown rows are ignored. */
export async function getThresholds(db: Queryable): Promise<Thresholds> {
  const { rows } = await db.query<{ id: string; value: number }>('SELECT id, value FROM thresholds')
  const out: Thresholds = { ...DEFAULT_THRESHOLDS }
  for (const row of rows) if (isThresholdId(row.id)) out[row.id] = row.value
  return out
}

/** Validates, then stores one threshold. Throws a ThresholdError for an unknown id or a bad value. */
export async function setThreshold(
  db: Queryable,
  id: string,
  value: unknown,
): Promise<{ id: ThresholdId; value: number }> {
  const parsed = parseThreshold(id, value)
  const { rowCount } = await db.query('UPDATE thresholds SET value = $2 WHERE id = $1', [
    parsed.id,
    parsed.value,
  ])
  if (rowCount !== 1) {
    throw new ThresholdError(
      `threshold ${parsed.id} is missing from the thresholds table; rerun the migrations`,
    )
  }
  return parsed
}
