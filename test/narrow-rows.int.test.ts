import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeRealisticTrades } from '../dev/realistic-trades'
import type { TradeRow } from '../src/main/pipeline/record-codec'
import { writeBatch } from '../src/main/pipeline/consumer/writer'
import type { Database } from '../src/main/postgres/database'
import { compactFinishedDays } from '../src/main/postgres/day-compaction'
import { migrate } from '../src/main/postgres/migrate'
import { NO_MISMATCHES, rollupMismatches, WITHOUT_CANDLES } from './helpers/rollup-checks'
import { olderDatabase, type OlderDatabase } from './helpers/older-database'
import { openTestDatabase, uniqueSchemaName } from './setup/test-database'

// Issue 13's 150 bytes a trade: sql/013 narrows the rows (no offset, conditions as one text), and
// the key index of a finished day is packed once (day-compaction.ts).

const T = Date.UTC(2025, 4, 6, 12)
const CONDITIONS = [null, ['1', '12'], [], ['37']]

describe('migration 013 on existing trades', () => {
  const schema = uniqueSchemaName('m13')
  let older: OlderDatabase | undefined
  let pool: pg.Pool
  beforeAll(async () => {
    older = await olderDatabase(schema, 13)
    pool = older.pool
  })
  afterAll(async () => {
    await older?.close()
  })

  it('keeps every row and its rollups, conditions as text, and a redelivery stays a no-op', async () => {
    // As the writer of release 12 stored them, in their day's partition: offsets, and conditions
    // as arrays or NULL.
    await pool.query(`SELECT trades_add_days(ARRAY[date '2025-05-06'])`)
    await pool.query(
      `INSERT INTO trades (trade_key, symbol, price, volume, conditions, traded_at, received_at, consumed_at, written_at,
                           kafka_topic, kafka_partition, kafka_offset)
       SELECT trade_key('old.' || o), 'AAPL', 100 + o, 1, ($2::text[])[1 + o % 4]::text[],
              to_timestamp(($1::bigint + o * 10) / 1000.0), to_timestamp(($1::bigint + o * 10 + 5) / 1000.0),
              to_timestamp(($1::bigint + o * 10 + 7) / 1000.0), to_timestamp(($1::bigint + o * 10 + 9) / 1000.0),
              'trades', o % 3, o
       FROM generate_series(0, 39) AS o`,
      [T, CONDITIONS.map((c) => (c === null ? null : `{${c.join(',')}}`))],
    )
    const rollups = async (): Promise<unknown[]> =>
      (await pool.query(`SELECT ${WITHOUT_CANDLES('r')} AS r FROM trades_1s r ORDER BY symbol, second`)).rows
    const before = await rollups()

    const { applied } = await migrate(pool, { schema })
    expect(applied.map((f) => f.fileName)).toContain('013_trades_narrow_rows.sql')

    const rows = await pool.query<{ conditions: string; n: number }>(
      `SELECT conditions, count(*) AS n FROM trades GROUP BY 1 ORDER BY 1`,
    )
    // NULL and {} both became '' (none); the codes are one text, as the CSV export writes them.
    expect(rows.rows).toEqual([
      { conditions: '', n: 20 },
      { conditions: '1 12', n: 10 },
      { conditions: '37', n: 10 },
    ])
    const cols = await pool.query<{ c: string }>(
      `SELECT attname AS c FROM pg_attribute
       WHERE attrelid = 'trades'::regclass AND attnum > 0 AND NOT attisdropped AND attname = 'kafka_offset'`,
    )
    expect(cols.rows).toEqual([])
    expect(await rollups()).toEqual(before)

    // The same records again, through this build's writer: no new row.
    const again: TradeRow[] = Array.from({ length: 40 }, (_, o) => ({
      tradeId: `old.${o}`,
      recordStamp: T + o * 10 + 5,
      symbol: 'AAPL',
      price: 100 + o,
      volume: 1,
      conditions: CONDITIONS[o % 4]!,
      tradedAt: T + o * 10,
      receivedAt: T + o * 10 + 5,
      consumedAt: Date.now(),
      topic: 'trades',
      partition: o % 3,
      offset: String(o),
    }))
    expect(await writeBatch(pool, again, [])).toMatchObject({ inserted: 0, duplicates: 40 })

    // A day made after the migration has no slot for the dropped column: its rows are narrow.
    const later = { ...again[1]!, tradeId: 'new.1', tradedAt: T + 3 * 86_400_000 }
    expect(await writeBatch(pool, [later], [])).toMatchObject({ inserted: 1 })
    const slots = await pool.query<{ name: string; dropped: number }>(
      `SELECT c.relname AS name, count(*) FILTER (WHERE a.attisdropped) AS dropped
       FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
       WHERE c.relname IN ('trades_20250506', 'trades_20250509') GROUP BY 1 ORDER BY 1`,
    )
    expect(slots.rows).toEqual([
      { name: 'trades_20250506', dropped: 1 },
      { name: 'trades_20250509', dropped: 0 },
    ])
    const stored = await pool.query<{ conditions: string }>(
      `SELECT conditions FROM trades WHERE traded_at = to_timestamp($1 / 1000.0)`,
      [later.tradedAt],
    )
    expect(stored.rows).toEqual([{ conditions: '1 12' }])
    expect(await rollupMismatches(pool)).toEqual(NO_MISMATCHES)
  })
})

describe('packing the key index of finished days', () => {
  let db: Database
  const DAY = 86_400_000
  // writeRealisticTrades starts at 2026-12-01 20:00 UTC; 30,000 trades at 4,000/s stay in that day.
  const dayOfData = Date.UTC(2026, 11, 1)
  beforeAll(async () => {
    db = await openTestDatabase()
    await writeRealisticTrades(db.pool, { trades: 30_000, rate: 4_000 })
    await db.pool.query('VACUUM (ANALYZE) trades')
  })
  afterAll(async () => {
    await db?.close()
  })

  const indexBytesPerRow = async (): Promise<number> => {
    const { rows } = await db.pool.query<{ per: number }>(
      `SELECT pg_relation_size(x.indexrelid)::float8 / (SELECT count(*) FROM trades_20261201) AS per
       FROM pg_index x WHERE x.indrelid = 'trades_20261201'::regclass`,
    )
    return rows[0]!.per
  }

  it('leaves the day alone while it is today', async () => {
    const loose = await indexBytesPerRow()
    // The premise: per-partition batches overlapping in time left the index loose.
    expect(loose).toBeGreaterThan(34)
    expect(await compactFinishedDays(db.pool, dayOfData + 12 * 3_600_000)).toEqual([])
    expect(await indexBytesPerRow()).toBe(loose)
  })

  it('packs it once the day is over, keeping every row, and only once', async () => {
    const before = await db.pool.query<{ n: number }>('SELECT count(*) AS n FROM trades')
    const packed = await compactFinishedDays(db.pool, dayOfData + DAY + 60_000)
    expect(packed.map((d) => d.day)).toEqual(['2026-12-01'])
    expect(packed[0]!.bytesAfter).toBeLessThan(packed[0]!.bytesBefore)
    expect(await indexBytesPerRow()).toBeLessThan(34)
    expect((await db.pool.query('SELECT count(*) AS n FROM trades')).rows).toEqual(before.rows)
    // The rebuilt index still enforces the key: a redelivery is a no-op.
    const dup = await db.pool.query(
      `INSERT INTO trades SELECT * FROM trades_20261201 LIMIT 1 ON CONFLICT (traded_at, trade_key) DO NOTHING`,
    )
    expect(dup.rowCount).toBe(0)
    expect(await compactFinishedDays(db.pool, dayOfData + DAY + 60_000)).toEqual([])
  })
})
