import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDatabase } from '../../../test/setup/test-database'
import type { Database } from '../postgres/database'
import type { TradeRow } from '../pipeline/record-codec'
import { writeBatch } from '../pipeline/consumer/writer'
import {
  candleMismatches,
  NO_CANDLE_MISMATCHES,
  NO_MISMATCHES,
  rollupMismatches,
  rollupSizes,
} from '../../../test/helpers/rollup-checks'

const SYMBOLS = ['AAPL', 'AMZN', 'BINANCE:BTCUSDT', 'IC MARKETS:1', 'OANDA:EUR_USD']

/** Trades firstOffset… of one partition, 40 ms apart by offset, with latencies of 1 ms…3 s. */
function rows(partition: number, firstOffset: number, n: number, start: number): TradeRow[] {
  return Array.from({ length: n }, (_, i) => {
    const o = firstOffset + i
    const tradedAt = start + o * 40 + (o % 7)
    const receivedAt = tradedAt + ((o * 7919) % 3000)
    return {
      // no tf_id: named by coordinates, stamp and content (sql/007), which a redelivery repeats
      tradeId: null,
      recordStamp: receivedAt,
      symbol: SYMBOLS[(o * 31 + partition) % SYMBOLS.length]!,
      price: 100 + ((o * 104729) % 1000) / 100,
      volume: (o % 11) / 4,
      conditions: o % 3 === 0 ? ['1', '12'] : null,
      tradedAt,
      receivedAt,
      consumedAt: receivedAt + 1 + ((o * 13) % 200),
      topic: 'rollups',
      partition,
      offset: String(o),
    }
  })
}

describe('KPI rollups kept by the writer (sql/004, hours since sql/012, first/last since sql/016)', () => {
  let db: Database
  // Trade times end before now, so written_at - consumed_at stays positive.
  const start = Date.now() - 200_000
  beforeAll(async () => {
    db = await openTestDatabase()
  })
  afterAll(async () => {
    await db?.close()
  })
  const count = async (sql: string): Promise<number> => (await db.pool.query<{ n: number }>(sql)).rows[0]!.n

  it('equal an aggregate over raw trades after batches, concurrent writers and redeliveries', async () => {
    // Three partitions at once, all touching the same symbols and seconds (shared rollup rows).
    const first = await Promise.all([0, 1, 2].map((p) => writeBatch(db.pool, rows(p, 0, 1500, start), [])))
    expect(first.map((r) => r.inserted)).toEqual([1500, 1500, 1500])
    // A redelivered batch is a no-op, and a batch that is half redelivered counts its new half only.
    expect(await writeBatch(db.pool, rows(0, 0, 1500, start), [])).toMatchObject({
      inserted: 0,
      duplicates: 1500,
    })
    expect(await writeBatch(db.pool, rows(1, 1000, 1500, start), [])).toMatchObject({
      inserted: 1000,
      duplicates: 500,
    })
    // Later batches continue seconds and minutes that earlier ones began: the upserts merge.
    await writeBatch(db.pool, rows(2, 1500, 1000, start + 60_000), [])

    // 3 × 1500, then 1000 new of the half-redelivered batch and 1000 new in the last one
    expect(await count('SELECT count(*) AS n FROM trades')).toBe(6500)
    expect(await count('SELECT sum(trades) AS n FROM trades_1s')).toBe(6500)
    expect(await count('SELECT sum(trades) AS n FROM latency_1m')).toBe(6500)
    expect(await rollupMismatches(db.pool)).toEqual(NO_MISMATCHES)
    expect(await candleMismatches(db.pool)).toEqual(NO_CANDLE_MISMATCHES)
    const sizes = await rollupSizes(db.pool)
    expect(sizes.trades_1m).toBeGreaterThan(5) // the data spans minute boundaries
    expect(sizes.latency_1s).toBeGreaterThan(100)
  })

  it('kpi_rollup_rebuild() reproduces the incrementally kept rollups, and repairs broken ones', async () => {
    const dump = async (): Promise<unknown[]> =>
      (
        await db.pool.query(
          `SELECT * FROM (SELECT 's' AS t, to_jsonb(r) - 'volume_sum' - 'price_sum' - 'pv_sum' AS row, round(volume_sum::numeric, 6) AS v, round(price_sum::numeric, 6) AS p, round(pv_sum::numeric, 6) AS pv FROM trades_1s r
           UNION ALL SELECT 'm', to_jsonb(r) - 'volume_sum' - 'price_sum' - 'pv_sum', round(volume_sum::numeric, 6), round(price_sum::numeric, 6), round(pv_sum::numeric, 6) FROM trades_1m r
           UNION ALL SELECT 'ls', to_jsonb(r) - 'hist_sum', NULL, (SELECT round(sum(x)::numeric, 3) FROM unnest(hist_sum) x), NULL FROM latency_1s r
           UNION ALL SELECT 'lm', to_jsonb(r) - 'hist_sum', NULL, (SELECT round(sum(x)::numeric, 3) FROM unnest(hist_sum) x), NULL FROM latency_1m r
           UNION ALL SELECT 'h', to_jsonb(r) - 'volume_sum' - 'price_sum' - 'pv_sum', round(volume_sum::numeric, 6), round(price_sum::numeric, 6), round(pv_sum::numeric, 6) FROM trades_1h r
           UNION ALL SELECT 'lh', to_jsonb(r) - 'hist_sum', NULL, (SELECT round(sum(x)::numeric, 3) FROM unnest(hist_sum) x), NULL FROM latency_1h r
           ) AS d ORDER BY t, row::text`,
        )
      ).rows
    const incremental = await dump()
    await db.pool.query(
      `UPDATE trades_1s SET trades = trades + 1
       WHERE (symbol, second) = (SELECT symbol, second FROM trades_1s ORDER BY second, symbol LIMIT 1)`,
    )
    await db.pool.query(`DELETE FROM latency_1m WHERE minute = (SELECT max(minute) FROM latency_1m)`)
    expect((await rollupMismatches(db.pool)).trades_1s).toHaveLength(1)

    await db.pool.query(
      `SELECT kpi_rollup_rebuild(min(traded_at), max(traded_at) + interval '1 ms') FROM trades`,
    )
    expect(await rollupMismatches(db.pool)).toEqual(NO_MISMATCHES)
    expect(await candleMismatches(db.pool)).toEqual(NO_CANDLE_MISMATCHES)
    expect(await dump()).toEqual(incremental)
  })

  it('follows deletes and a truncate of trades', async () => {
    // every third offset of partition 1: the rows with conditions
    await db.pool.query(`DELETE FROM trades WHERE kafka_partition = 1 AND conditions <> ''`)
    expect(await rollupMismatches(db.pool)).toEqual(NO_MISMATCHES)
    expect(await candleMismatches(db.pool)).toEqual(NO_CANDLE_MISMATCHES)
    expect(await count('SELECT sum(trades) AS n FROM trades_1m')).toBe(
      await count('SELECT count(*) AS n FROM trades'),
    )
    await db.pool.query('TRUNCATE trades')
    expect(await rollupSizes(db.pool)).toEqual({
      trades_1s: 0,
      trades_1m: 0,
      latency_1s: 0,
      latency_1m: 0,
      trades_1h: 0,
      latency_1h: 0,
    })
  })
})
