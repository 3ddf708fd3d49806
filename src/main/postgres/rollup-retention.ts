import type pg from 'pg'
import { DAY_MS } from './trade-days'

/**
 * The rollups leave too, later than the raw trades and by their own rule (issue 13):
 *   * the 1 s rollups (trades_1s, latency_1s) serve only windows of half an hour or less, and a
 *     second of them costs about as much as a trade at the Demo rate: with one trade a second they
 *     outgrew the raw rows 3.5 to 1. They go with the raw trades: older than the oldest day
 *     partition left, so the disk budget, which drops raw days, frees their seconds too;
 *   * the minute rollups stay MINUTE_ROLLUP_DAYS, so that the KPIs of a day whose trades are gone
 *     still show for over a year;
 *   * coarser rollups, where there are any, stay.
 * Rows go an hour at a time: each DELETE is a short transaction, not millions of rows in one.
 */

export const MINUTE_ROLLUP_DAYS = 400
const CHUNK_MS = 3_600_000

const TABLES = [
  { table: 'trades_1s', column: 'second', keep: '1s' },
  { table: 'latency_1s', column: 'second', keep: '1s' },
  { table: 'trades_1m', column: 'minute', keep: '1m' },
  { table: 'latency_1m', column: 'minute', keep: '1m' },
] as const

export interface PrunedRollups {
  table: string
  rows: number
  /** ms epoch: rows before this are gone */
  before: number
}

/** The cut of the 1 s rollups: the start of the oldest day partition left (today's at the latest). */
async function oldestKeptDay(pool: pg.Pool, nowMs: number): Promise<number> {
  const { rows } = await pool.query<{ day: number | null }>(
    `SELECT min(day) - date '1970-01-01' AS day FROM trades_day_sizes()`,
  )
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS
  const day = rows[0]!.day
  return day === null ? today : Math.min(day * DAY_MS, today)
}

export async function pruneRollups(pool: pg.Pool, nowMs = Date.now()): Promise<PrunedRollups[]> {
  const cut = {
    '1s': await oldestKeptDay(pool, nowMs),
    '1m': Math.floor(nowMs / DAY_MS) * DAY_MS - MINUTE_ROLLUP_DAYS * DAY_MS,
  }
  const out: PrunedRollups[] = []
  for (const t of TABLES) {
    const before = cut[t.keep]
    let rows = 0
    // From the oldest row on, an hour at a time; a gap of months costs one query, not an hour each.
    for (;;) {
      const { rows: r } = await pool.query<{ ms: number | null }>(
        `SELECT floor(extract(epoch FROM min(${t.column})) * 1000)::bigint AS ms
         FROM ${t.table} WHERE ${t.column} < to_timestamp($1 / 1000.0)`,
        [before],
      )
      const oldest = r[0]!.ms
      if (oldest === null) break
      const res = await pool.query(`DELETE FROM ${t.table} WHERE ${t.column} < to_timestamp($1 / 1000.0)`, [
        Math.min(oldest + CHUNK_MS, before),
      ])
      rows += res.rowCount ?? 0
    }
    if (rows > 0) out.push({ table: t.table, rows, before })
  }
  return out
}
