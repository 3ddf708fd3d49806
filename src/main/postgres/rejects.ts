import type pg from 'pg'
import type { Reject } from '../../shared/trade'

/**
 * Stores rejects in one statement (arrays unnested server-side). A reject whose Kafka
 * coordinates and raw text are already stored is skipped, so a redelivered bad record is counted
 * once, while a new one at an offset a recreated topic reused is kept (sql/008).
 * Returns how many rows were inserted.
 */
export async function insertRejects(client: pg.ClientBase | pg.Pool, rejects: Reject[]): Promise<number> {
  if (rejects.length === 0) return 0
  const result = await client.query(
    `INSERT INTO rejects (raw, reason, stage, rejected_at, kafka_topic, kafka_partition, kafka_offset)
     SELECT r.raw, r.reason, r.stage, timestamptz 'epoch' + r.ms * interval '1 millisecond',
            r.topic, r.part, r.off::bigint
     FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::int[], $7::text[])
       AS r(raw, reason, stage, ms, topic, part, off)
     ON CONFLICT (kafka_topic, kafka_partition, kafka_offset, md5(raw)) DO NOTHING`,
    [
      // Postgres text cannot hold NUL; keep the rest of the raw frame rather than fail the batch.
      rejects.map((r) => r.raw.replaceAll('\u0000', '\\u0000')),
      rejects.map((r) => r.reason.replaceAll('\u0000', '\\u0000')),
      rejects.map((r) => r.stage),
      rejects.map((r) => Math.round(r.rejectedAt)),
      rejects.map((r) => r.kafka?.topic ?? null),
      rejects.map((r) => r.kafka?.partition ?? null),
      rejects.map((r) => r.kafka?.offset ?? null),
    ],
  )
  return result.rowCount ?? 0
}
