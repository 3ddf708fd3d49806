import type pg from 'pg'
import { dayOf, dayText } from './trade-days'

/**
 * Packs the key index of finished days (sql/013): at a live rate the index of the day being written
 * grows loose, and a finished day takes no more trades to fill it, so one rebuild keeps its trades at
 * ~143 bytes instead of ~165. REINDEX … CONCURRENTLY builds the new index beside the old one, so the
 * writer (even a late trade of that day) never waits for it; it cannot run in a transaction, hence
 * one statement per day from here. Runs after retention, so no day is packed and then dropped.
 */

export interface CompactedDay {
  day: string
  bytesBefore: number
  bytesAfter: number
  ms: number
}

export async function compactFinishedDays(pool: pg.Pool, now = Date.now()): Promise<CompactedDay[]> {
  await dropFailedRebuilds(pool)
  const { rows } = await pool.query<{ day: string; index_name: string; index_bytes: number }>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, index_name, index_bytes FROM trades_loose_days($1::date)`,
    [dayText(dayOf(now))],
  )
  const out: CompactedDay[] = []
  for (const r of rows) {
    const t0 = performance.now()
    // index_name comes from regclass::text, so it is already quoted as an identifier when needed.
    await pool.query(`REINDEX INDEX CONCURRENTLY ${r.index_name}`)
    const after = await pool.query<{ bytes: number }>(`SELECT pg_relation_size($1::regclass) AS bytes`, [
      r.index_name,
    ])
    out.push({
      day: r.day,
      bytesBefore: r.index_bytes,
      bytesAfter: after.rows[0]!.bytes,
      ms: performance.now() - t0,
    })
  }
  return out
}

/**
 * A REINDEX … CONCURRENTLY cut off (a crash, a restart of PostgreSQL) leaves its new index behind,
 * invalid but still kept up by every insert into that day: drop such leftovers first.
 */
async function dropFailedRebuilds(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ name: string }>(
    `SELECT x.indexrelid::regclass::text AS name
     FROM pg_inherits i JOIN pg_index x ON x.indrelid = i.inhrelid JOIN pg_class c ON c.oid = x.indexrelid
     WHERE i.inhparent = 'trades'::regclass AND NOT x.indisvalid AND c.relname ~ '_ccnew[0-9]*$'`,
  )
  for (const r of rows) await pool.query(`DROP INDEX CONCURRENTLY IF EXISTS ${r.name}`)
}
