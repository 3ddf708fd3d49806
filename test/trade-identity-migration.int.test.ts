import { copyFile } from 'node:fs/promises'
import path from 'node:path'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NO_MISMATCHES, rollupMismatches, WITHOUT_CANDLES } from './helpers/rollup-checks'
import type { TradeRow } from '../src/main/pipeline/record-codec'
import { writeBatch } from '../src/main/pipeline/consumer/writer'
import { migrate, resolveSqlDir } from '../src/main/postgres/migrate'
import { olderDatabase, type OlderDatabase } from './helpers/older-database'
import { uniqueSchemaName } from './setup/test-database'

// sql/007 on a database that already holds trades: every old row gets the id that a redelivery of
// its record gets from the writer, so an upgrade neither duplicates nor loses a trade (and still
// not after the later migrations, which store that id as a key).

const T = Date.UTC(2024, 0, 2, 10, 0, 0)
// Floats whose text forms are awkward, and conditions that need quoting: the id must not care.
const PRICES = [171.46, 0.1 + 0.2, 1e-7, 60000.123456789, 1e21, 0]
const CONDITIONS = [null, ['1', '12'], ['a,b', '"q"'], []]

describe('migration 007 on existing trades', () => {
  const schema = uniqueSchemaName('m7')
  let pool: pg.Pool
  let older: OlderDatabase | undefined
  beforeAll(async () => {
    // The migrations up to 006, as a database upgraded from the previous release has them.
    older = await olderDatabase(schema, 7)
    pool = older.pool
    expect(older.version).toBe(6)
  })
  afterAll(async () => {
    await older?.close()
  })

  it('names old rows as the writer names their redelivered records, keeping the rollups', async () => {
    // 3 partitions × 100 offsets, as the writer stored them before 007; many identical trades.
    await pool.query(
      `INSERT INTO trades (symbol, price, volume, conditions, traded_at, received_at, consumed_at, written_at,
                           kafka_topic, kafka_partition, kafka_offset)
       SELECT CASE WHEN o % 2 = 0 THEN 'AAPL' ELSE 'IC MARKETS:1' END, ($1::float8[])[1 + o % 6],
              ($1::float8[])[1 + (o + 3) % 6], ($2::text[])[1 + o % 4]::text[],
              to_timestamp(($3::bigint + o * 10) / 1000.0), to_timestamp(($3::bigint + o * 10 + 7) / 1000.0),
              to_timestamp(($3::bigint + o * 10 + 9) / 1000.0), to_timestamp(($3::bigint + o * 10 + 12) / 1000.0),
              'trades', p, o
       FROM generate_series(0, 2) AS p, generate_series(0, 99) AS o`,
      [
        PRICES,
        CONDITIONS.map((c) => (c === null ? null : `{${c.map((x) => JSON.stringify(x)).join(',')}}`)),
        T,
      ],
    )
    const rollupsBefore = (
      await pool.query(`SELECT ${WITHOUT_CANDLES('r')} AS r FROM trades_1s r ORDER BY symbol, second`)
    ).rows

    // 007 alone first: the ids it gives are text; later migrations store them as keys (sql/010).
    await copyFile(
      path.join(resolveSqlDir(), '007_trade_identity.sql'),
      path.join(older!.sqlDir, '007_trade_identity.sql'),
    )
    const { applied } = await migrate(pool, { schema, sqlDir: older!.sqlDir })
    expect(applied.map((f) => f.fileName)).toEqual(['007_trade_identity.sql'])

    const ids = await pool.query<{ n: number; distinct_ids: number; fallback: number }>(
      `SELECT count(*) AS n, count(DISTINCT trade_id) AS distinct_ids,
              count(*) FILTER (WHERE trade_id ~ '^kafka/[0-9a-f]{32}$') AS fallback FROM trades`,
    )
    expect(ids.rows[0]).toEqual({ n: 300, distinct_ids: 300, fallback: 300 })
    expect(
      (await pool.query(`SELECT ${WITHOUT_CANDLES('r')} AS r FROM trades_1s r ORDER BY symbol, second`)).rows,
    ).toEqual(rollupsBefore)
    const constraints = await pool.query<{ conname: string }>(
      `SELECT conname FROM pg_constraint WHERE conrelid = 'trades'::regclass AND contype = 'u' ORDER BY 1`,
    )
    expect(constraints.rows.map((r) => r.conname)).toEqual(['trades_trade_id_key'])

    // The old records, read before the later migrations narrow the rows (sql/013 keeps no offset).
    const old = await pool.query<{
      symbol: string
      price: number
      volume: number
      conditions: string[] | null
      traded_at: number
      received_at: number
      kafka_partition: number
      kafka_offset: number
    }>(
      'SELECT symbol, price, volume, conditions, traded_at, received_at, kafka_partition, kafka_offset FROM trades',
    )
    // Up to this build's schema: the writer below is this build's.
    await migrate(pool, { schema })
    // Every old record delivered again (no tf_id, as before): all no-ops.
    const again: TradeRow[] = old.rows.map((r) => ({
      tradeId: null,
      recordStamp: r.received_at,
      symbol: r.symbol,
      price: r.price,
      volume: r.volume,
      conditions: r.conditions,
      tradedAt: r.traded_at,
      receivedAt: r.received_at,
      consumedAt: Date.now(),
      topic: 'trades',
      partition: r.kafka_partition,
      offset: String(r.kafka_offset),
    }))
    expect(await writeBatch(pool, again, [])).toMatchObject({ inserted: 0, duplicates: 300 })

    // The recreated topic's record at offset 0 of partition 0: another stamp, so a new trade.
    const reused = { ...again.find((r) => r.partition === 0 && r.offset === '0')! }
    reused.recordStamp += 60_000
    reused.receivedAt += 60_000
    expect(await writeBatch(pool, [reused], [])).toMatchObject({ inserted: 1, duplicates: 0 })
    expect(await rollupMismatches(pool)).toEqual(NO_MISMATCHES)
  })
})
