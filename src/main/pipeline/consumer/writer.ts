import type pg from 'pg'
import type { Reject } from '../../../shared/trade'
import { insertRejects } from '../../postgres/rejects'
import { ensureTradeDays } from '../../postgres/trade-days'
import type { TradeRow } from '../record-codec'

export interface WriteResult {
  /** rows new to the table */
  inserted: number
  /** trades already stored under the same identity (trade_key): a redelivery or a resent record, a no-op */
  duplicates: number
  rejected: number
  /** ms epoch stamped on the rows as written_at */
  writtenAt: number
}

// One statement for the whole batch: the rows travel as one JSON parameter and json_to_recordset
// turns them back into rows inside Postgres. That is one round trip however large the batch is,
// and JSON.stringify costs the Node thread about half of what pg's array literals did.
// A trade's identity is its tf_id, or for a record without one trade_fallback_id() of its
// coordinates, stamp and content (sql/007); trade_key() stores it as 64 bits (sql/010). Both in SQL,
// so the migrations' backfills name older rows the same way. ON CONFLICT on (traded_at, trade_key)
// makes a redelivered or resent trade a no-op: it carries the same trade time. The offset only
// names another producer's record and is not stored; conditions are stored as one text, separated
// by spaces (sql/013). A statement trigger (sql/004) adds the rows it really inserted to the KPI
// rollups, inside this same transaction.
const INSERT_TRADES = `
INSERT INTO trades (trade_key, symbol, price, volume, conditions, traded_at, received_at, consumed_at,
                    written_at, kafka_topic, kafka_partition)
SELECT trade_key(coalesce(i, trade_fallback_id($3, part, off, ts, s, t::bigint, p, v, c))),
       s, p, v, coalesce(array_to_string(c, ' '), ''), to_timestamp(t / 1000.0), to_timestamp(r / 1000.0),
       to_timestamp(k / 1000.0), to_timestamp($2 / 1000.0), $3, part
FROM json_to_recordset($1::json)
  AS u(i text, ts bigint, s text, p float8, v float8, c text[], t float8, r float8, k float8, part int, off bigint)
ON CONFLICT (traded_at, trade_key) DO NOTHING`

/** The JSON rows of INSERT_TRADES: short keys, since the text is built and parsed per batch. */
function rowsJson(rows: readonly TradeRow[]): string {
  return JSON.stringify(
    rows.map((r) => ({
      // JSON.stringify leaves undefined out: our rows carry i, another producer's carry ts.
      i: r.tradeId ?? undefined,
      ts: r.tradeId === null ? r.recordStamp : undefined,
      s: r.symbol,
      p: r.price,
      v: r.volume,
      c: r.conditions,
      t: r.tradedAt,
      r: r.receivedAt,
      k: r.consumedAt,
      part: r.partition,
      off: r.offset,
    })),
  )
}

/**
 * Writes one consumed batch (one topic-partition) and its rejects in ONE transaction. The caller
 * commits Kafka offsets only after this resolves, so a crash in between redelivers, never loses.
 * The day partitions of the batch's trades are made first, whatever their dates (trade-days.ts).
 */
export async function writeBatch(pool: pg.Pool, rows: TradeRow[], rejects: Reject[]): Promise<WriteResult> {
  await ensureTradeDays(
    pool,
    rows.map((r) => r.tradedAt),
  )
  const client = await pool.connect()
  const writtenAt = Date.now()
  let broken = false
  try {
    await client.query('BEGIN')
    let inserted = 0
    // A batch comes from one partition of one topic, but group by topic anyway to stay correct.
    for (const [topic, group] of groupByTopic(rows)) {
      const res = await client.query(INSERT_TRADES, [rowsJson(group), writtenAt, topic])
      inserted += res.rowCount ?? 0
    }
    const rejected = rejects.length > 0 ? await insertRejects(client, rejects) : 0
    await client.query('COMMIT')
    return { inserted, duplicates: rows.length - inserted, rejected, writtenAt }
  } catch (err) {
    // A connection that cannot even roll back is dropped from the pool rather than reused.
    await client.query('ROLLBACK').catch(() => (broken = true))
    throw err
  } finally {
    client.release(broken)
  }
}

function groupByTopic(rows: TradeRow[]): Map<string, TradeRow[]> {
  const out = new Map<string, TradeRow[]>()
  for (const r of rows) {
    const g = out.get(r.topic)
    if (g) g.push(r)
    else out.set(r.topic, [r])
  }
  return out
}
