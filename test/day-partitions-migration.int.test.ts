import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TradeRow } from '../src/main/pipeline/record-codec'
import { writeBatch } from '../src/main/pipeline/consumer/writer'
import { migrate } from '../src/main/postgres/migrate'
import { NO_MISMATCHES, rollupMismatches, WITHOUT_CANDLES } from './helpers/rollup-checks'
import { olderDatabase, type OlderDatabase } from './helpers/older-database'
import { uniqueSchemaName } from './setup/test-database'

// sql/010 on a database that already holds trades: the rows move into day partitions unchanged, under
// the keys the writer gives their redeliveries, with the rollups and the KPI views as they were.

const DAY = 86_400_000
const DAYS = [Date.UTC(2024, 0, 2, 10), Date.now() - 31 * DAY, Date.now() - 60_000]
const ROLLUPS = ['trades_1s', 'trades_1m', 'latency_1s', 'latency_1m']
const COLUMNS = `symbol, price, volume, conditions, traded_at, received_at, consumed_at, written_at,
                 kafka_topic, kafka_partition, kafka_offset`
// The columns that sql/013 keeps with their type: no offset, and conditions as text.
const NOW_COLUMNS =
  'symbol, price, volume, traded_at, received_at, consumed_at, written_at, kafka_topic, kafka_partition'

describe('migration 010 on existing trades', () => {
  const schema = uniqueSchemaName('m10')
  let pool: pg.Pool
  let older: OlderDatabase | undefined
  beforeAll(async () => {
    // The migrations before 010, as a database of the previous release has them.
    older = await olderDatabase(schema, 10)
    pool = older.pool
    expect(older.version).toBeLessThan(10)
  })
  afterAll(async () => {
    await older?.close()
  })

  const rollups = async (): Promise<unknown[][]> =>
    Promise.all(
      ROLLUPS.map(
        async (t) =>
          (await pool.query(`SELECT ${WITHOUT_CANDLES('r')}::text FROM ${t} AS r ORDER BY 1`)).rows,
      ),
    )

  it('moves every row into its day, keyed as the writer keys a redelivery, keeping rollups and views', async () => {
    // Per day: 40 of ours (tf_id), 20 of another producer (kafka/<md5>), 2 by hand (sql/<hex>).
    for (const [d, t] of DAYS.entries()) {
      await pool.query(
        `INSERT INTO trades (trade_id, ${COLUMNS})
         SELECT CASE WHEN o < 40 THEN 'sess' || $2 || '.' || lpad(to_hex(o / 4), 8, '0') || '.' || o % 4
                     ELSE trade_fallback_id('trades', o % 3, o, kpi_ms(rt), s, kpi_ms(tt), p, v, c) END, ${COLUMNS}
         FROM (SELECT o, CASE WHEN o % 2 = 0 THEN 'AAPL' ELSE 'IC MARKETS:1' END AS symbol,
                      171.46 + o / 100.0 AS price, (o % 5)::float8 AS volume,
                      CASE WHEN o % 3 = 0 THEN ARRAY['1', '12'] END AS conditions,
                      to_timestamp(($1::bigint + o * 250) / 1000.0) AS traded_at,
                      to_timestamp(($1::bigint + o * 250 + 7) / 1000.0) AS received_at,
                      to_timestamp(($1::bigint + o * 250 + 9) / 1000.0) AS consumed_at,
                      to_timestamp(($1::bigint + o * 250 + 12) / 1000.0) AS written_at,
                      'trades' AS kafka_topic, o % 3 AS kafka_partition, o AS kafka_offset
               FROM generate_series(0, 59) AS o) AS x
         CROSS JOIN LATERAL (SELECT symbol AS s, price AS p, volume AS v, conditions AS c,
                                    traded_at AS tt, received_at AS rt) AS y`,
        [t, d],
      )
      await pool.query(
        `INSERT INTO trades (${COLUMNS}) SELECT ${COLUMNS} FROM trades WHERE kafka_offset = 0 AND traded_at = $1`,
        [new Date(t)],
      )
      await pool.query(
        `INSERT INTO trades (${COLUMNS}) SELECT ${COLUMNS} FROM trades WHERE kafka_offset = 1 AND traded_at = $1`,
        [new Date(t + 250)],
      )
    }
    await pool.query(`CREATE TABLE old_trades AS SELECT * FROM trades`)
    const before = await rollups()
    const views = (await pool.query('SELECT * FROM kpi_trade_count ORDER BY symbol')).rows

    const { applied } = await migrate(pool, { schema })
    expect(applied.map((f) => f.fileName)).toContain('010_trades_day_partitions.sql')

    // Every old row, unchanged, under trade_key(its old id), in the partition of its day.
    const same = await pool.query<{ n: number; moved: number; placed: number }>(
      `SELECT (SELECT count(*) FROM trades) AS n, count(t.*) AS moved,
              count(*) FILTER (WHERE t.tableoid::regclass::text = 'trades_' || to_char(t.traded_at AT TIME ZONE 'UTC', 'YYYYMMDD')) AS placed
       FROM old_trades o LEFT JOIN trades t ON t.traded_at = o.traded_at AND t.trade_key = trade_key(o.trade_id)
         AND (t.symbol, t.price, t.volume, t.conditions, t.received_at, t.consumed_at, t.written_at, t.kafka_topic,
              t.kafka_partition)
           IS NOT DISTINCT FROM (o.symbol, o.price, o.volume, coalesce(array_to_string(o.conditions, ' '), ''),
                                 o.received_at, o.consumed_at, o.written_at, o.kafka_topic, o.kafka_partition)`,
    )
    expect(same.rows[0]).toEqual({ n: 186, moved: 186, placed: 186 })
    expect(await rollups()).toEqual(before)
    expect(await rollupMismatches(pool)).toEqual(NO_MISMATCHES)
    expect((await pool.query('SELECT * FROM kpi_trade_count ORDER BY symbol')).rows).toEqual(views)
    const cols = await pool.query<{ c: string }>(
      `SELECT attname AS c FROM pg_attribute WHERE attrelid = 'trades'::regclass AND attnum > 0 AND NOT attisdropped
         AND attname IN ('id', 'trade_id')`,
    )
    expect(cols.rows).toEqual([])
    const idx = await pool.query<{ i: string }>(
      `SELECT indexrelid::regclass::text AS i FROM pg_index WHERE indrelid = 'trades'::regclass`,
    )
    expect(idx.rows.map((r) => r.i)).toEqual(['trades_key'])

    // Every old record delivered again, ours with their tf_id and the others' without: all no-ops.
    const old = await pool.query<{
      trade_id: string
      symbol: string
      price: number
      volume: number
      conditions: string[] | null
      traded_at: number
      received_at: number
      kafka_partition: number
      kafka_offset: number
    }>(`SELECT * FROM old_trades WHERE trade_id NOT LIKE 'sql/%'`)
    const again: TradeRow[] = old.rows.map((r) => ({
      tradeId: r.trade_id.startsWith('kafka/') ? null : r.trade_id,
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
    expect(again).toHaveLength(180)
    expect(await writeBatch(pool, again, [])).toMatchObject({ inserted: 0, duplicates: 180 })

    // A new row by hand in the same ms as an old one is a new trade: its sql/<hex> name is not reused.
    const hand = await pool.query(
      `INSERT INTO trades (${NOW_COLUMNS}) SELECT ${NOW_COLUMNS} FROM old_trades WHERE trade_id LIKE 'sql/%' LIMIT 1
       ON CONFLICT (traded_at, trade_key) DO NOTHING`,
    )
    expect(hand.rowCount).toBe(1)
    expect(await rollupMismatches(pool)).toEqual(NO_MISMATCHES)
  })
})
