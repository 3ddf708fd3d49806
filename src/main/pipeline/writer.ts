import type pg from 'pg'
import type { Reject } from '../../shared/trade'
import { insertRejects } from '../postgres/rejects'
import type { TradeRow } from './record-codec'

export interface WriteResult {
  /** rows new to the table */
  inserted: number
  /** rows already stored under the same Kafka coordinates: a redelivery, and a no-op */
  duplicates: number
  rejected: number
  /** ms epoch stamped on the rows as written_at */
  writtenAt: number
}

// One statement for the whole batch: columns travel as arrays and unnest back into rows, so the
// cost is one round trip however large the batch is. ON CONFLICT makes a redelivered record a no-op.
// A statement trigger (sql/004) adds the rows it really inserted to the KPI rollups, inside this
// same transaction, so rollups and trades commit or roll back together.
const INSERT_TRADES = `
INSERT INTO trades (symbol, price, volume, conditions, traded_at, received_at, consumed_at, written_at,
                    kafka_topic, kafka_partition, kafka_offset)
SELECT s, p, v, c::text[], to_timestamp(t / 1000.0), to_timestamp(r / 1000.0), to_timestamp(k / 1000.0),
       to_timestamp($9 / 1000.0), $10, part, off
FROM unnest($1::text[], $2::float8[], $3::float8[], $4::text[], $5::float8[], $6::float8[], $7::float8[],
            $8::int[], $11::bigint[]) AS u(s, p, v, c, t, r, k, part, off)
ON CONFLICT (kafka_topic, kafka_partition, kafka_offset) DO NOTHING`

/** A Postgres array literal for text[]: every element quoted, so commas and spaces survive. */
export function textArrayLiteral(items: string[] | null): string | null {
  if (items === null) return null
  return '{' + items.map((s) => '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"').join(',') + '}'
}

/**
 * Writes one consumed batch (one topic-partition) and its rejects in ONE transaction. The caller
 * commits Kafka offsets only after this resolves, so a crash in between redelivers, never loses.
 */
export async function writeBatch(pool: pg.Pool, rows: TradeRow[], rejects: Reject[]): Promise<WriteResult> {
  const client = await pool.connect()
  const writtenAt = Date.now()
  let broken = false
  try {
    await client.query('BEGIN')
    let inserted = 0
    // A batch comes from one partition of one topic, but group by topic anyway to stay correct.
    for (const [topic, group] of groupByTopic(rows)) {
      const res = await client.query(INSERT_TRADES, [
        group.map((r) => r.symbol),
        group.map((r) => r.price),
        group.map((r) => r.volume),
        group.map((r) => textArrayLiteral(r.conditions)),
        group.map((r) => r.tradedAt),
        group.map((r) => r.receivedAt),
        group.map((r) => r.consumedAt),
        group.map((r) => r.partition),
        writtenAt,
        topic,
        group.map((r) => r.offset),
      ])
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
