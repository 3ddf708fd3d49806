import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { candleMismatches, NO_CANDLE_MISMATCHES } from '../../../test/helpers/rollup-checks'
import { olderDatabase, type OlderDatabase } from '../../../test/helpers/older-database'
import { expectSameCandles, rawCandles } from '../../../test/helpers/snapshot-compare'
import { uniqueSchemaName } from '../../../test/setup/test-database'
import type { Candles } from '../../shared/kpi'
import { writeBatch } from '../pipeline/consumer/writer'
import type { TradeRow } from '../pipeline/record-codec'
import { migrate } from '../postgres/migrate'
import { kpiSnapshot } from './snapshot'

// sql/016 on one schema: rollups written before it (one day of which retention then dropped), the
// upgrade's backfill, later batches that merge into the same buckets (late trades, and trades on
// the same millisecond as earlier ones), and kpi_candles() against the raw trades on every tier.

const SYMBOLS = ['AAPL', 'BINANCE:BTCUSDT', 'IC MARKETS:1']
const S = 1000
const KEPT = Date.UTC(2025, 0, 2, 10, 17, 3, 250) // over an hour, across 11:00
const GONE = Date.UTC(2024, 5, 3, 14, 0, 0, 0)
const day = (t: number): string => new Date(t).toISOString().slice(0, 10)

/**
 * n trades from t0, six per millisecond stamp (two per symbol: every bucket's first and last
 * millisecond holds a tie), stamps stepMs apart; prices from a hash, FX without volume.
 */
function trades(tag: string, t0: number, n: number, stepMs: number, salt = 0): TradeRow[] {
  return Array.from({ length: n }, (_, i) => {
    const h = ((i + salt) * 2654435761) % 4294967291
    const symbol = SYMBOLS[i % 3]!
    const tradedAt = t0 + Math.floor(i / 6) * stepMs
    return {
      tradeId: `${tag}-${i}`,
      recordStamp: tradedAt + 5,
      symbol,
      price: 100 + (h % 997) / 10,
      volume: symbol === 'IC MARKETS:1' ? 0 : (h % 13) / 8,
      conditions: null,
      tradedAt,
      receivedAt: tradedAt + 5,
      consumedAt: tradedAt + 7,
      topic: 'candles',
      partition: 0,
      offset: String(i),
    }
  })
}

const kpiCandles = async (
  pool: pg.Pool,
  symbol: string,
  from: number,
  to: number,
  bucketS: number,
): Promise<Candles> => {
  const ms = (i: number): string => `timestamptz 'epoch' + ${i}::bigint * interval '1 ms'`
  const { rows } = await pool.query<{ c: Candles }>(
    `SELECT kpi_candles($1, ${ms(from)}, ${ms(to)}, $2) AS c`,
    [symbol, bucketS],
  )
  return rows[0]!.c
}

/** Only the rows of the kept day: the dropped day's rollups have no raw trades to compare with. */
const keptOnly = (m: Record<string, unknown[]>): Record<string, unknown[]> =>
  Object.fromEntries(
    Object.entries(m).map(([k, rows]) => [
      k,
      rows.filter((r) => Number((r as { at: unknown }).at) >= Date.UTC(2025, 0, 1)),
    ]),
  )

describe('candles (sql/016)', () => {
  const schema = uniqueSchemaName('c16')
  let older: OlderDatabase | undefined
  let pool: pg.Pool
  /** the dropped day's candles as they were from its raw trades */
  let goneBefore: Candles

  beforeAll(async () => {
    older = await olderDatabase(schema, 16)
    pool = older.pool
    expect(older.version).toBeLessThan(16)
    await writeBatch(pool, trades('a', KEPT, 9000, 2600), [])
    await writeBatch(pool, trades('g', GONE, 600, 1000), [])
    goneBefore = await rawCandles(pool, 'AAPL', GONE, GONE + 600 * S, 60)
    await pool.query(`SELECT trades_detach_day($1::date)`, [day(GONE)])
    await pool.query(`SELECT trades_drop_detached()`)
    const { applied } = await migrate(pool, { schema })
    expect(applied.map((f) => f.fileName)).toContain('016_candles.sql')
  })
  afterAll(async () => {
    await older?.close()
  })

  it('backfills first/last and price × volume of the rows whose trades are kept, and leaves the others unknown', async () => {
    expect(keptOnly(await candleMismatches(pool))).toEqual(NO_CANDLE_MISMATCHES)
    const { rows } = await pool.query<{ rows: number; unknown: number }>(
      `SELECT count(*)::int AS rows, count(*) FILTER (WHERE first_at IS NULL AND last_at IS NULL
                                                   AND first_price IS NULL AND pv_sum IS NULL)::int AS unknown
       FROM trades_1m WHERE minute < '2025-01-01'`,
    )
    expect(rows[0]).toEqual({ rows: 6, unknown: 6 })
  })

  it('merge later batches into the same buckets as the raw trades order them: late trades and ties', async () => {
    // Same stamps as batch a with other prices: ties across batches, at every bucket's first and
    // last millisecond; then a late trade before everything and one after.
    await writeBatch(pool, trades('b', KEPT, 9000, 2600, 7), [])
    await writeBatch(pool, trades('c', KEPT - 1, 3, 0, 3), [])
    await writeBatch(pool, trades('d', KEPT + 3900 * S, 3, 0, 11), [])
    expect(keptOnly(await candleMismatches(pool))).toEqual(NO_CANDLE_MISMATCHES)
    // A tie of the batches: at the first stamp, two trades of AAPL from each, the lowest opens.
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM trades WHERE symbol = 'AAPL' AND traded_at = to_timestamp($1 / 1000.0)`,
      [KEPT],
    )
    expect(rows[0]!.n).toBe(4)
  })

  it('kpi_candles() equals the candles of the raw trades on every tier and width', async () => {
    const cases: [string, number, number, number][] = [
      // from and to inside seconds: raw edges, 1 s rows
      ['5 min in 1 s', KEPT + 2_500_300, KEPT + 2_800_300, 1],
      // raw edges, 1 s rows, minute rows
      ['1 h in 60 s', KEPT - 700, KEPT + 3_600_000 - 700, 60],
      ['minute rows in 5 min', Date.UTC(2025, 0, 2, 10), Date.UTC(2025, 0, 2, 12), 300],
      // hour rows (and the two hours' buckets)
      ['a day in hours', Date.UTC(2025, 0, 2), Date.UTC(2025, 0, 3), 3600],
      ['a day in 2 h', Date.UTC(2025, 0, 2), Date.UTC(2025, 0, 3), 7200],
      // not whole seconds: raw trades only
      ['1.5 s', KEPT + 100_000, KEPT + 160_000, 1.5],
    ]
    for (const [what, from, to, bucketS] of cases) {
      for (const symbol of SYMBOLS) {
        const a = await kpiCandles(pool, symbol, from, to, bucketS)
        const raw = await rawCandles(pool, symbol, from, to, bucketS)
        expect(raw.buckets.length, what).toBeGreaterThan(0)
        expectSameCandles(a, raw)
      }
    }
    // zero volume: VWAP is the plain mean
    const fx = await kpiCandles(pool, 'IC MARKETS:1', KEPT, KEPT + 600_000, 60)
    expect(
      fx.buckets.every((b) => b.volume === 0 && b.vwap !== null && b.vwap >= b.low && b.vwap <= b.high),
    ).toBe(true)
  })

  it('shows the dropped day with exact high, low and volume, and no open, close or VWAP; a late trade keeps it so', async () => {
    const shown = await kpiCandles(pool, 'AAPL', GONE, GONE + 600 * S, 60)
    const unknown = (c: Candles): unknown[] =>
      c.buckets.map((b) => ({ ...b, open: null, close: null, vwap: null }))
    expect(shown.buckets).toHaveLength(2)
    expect(shown.buckets).toEqual(unknown(goneBefore))
    // sql/016's backfill had no trades for it; the late trade's own second and minute merge into rows that stay unknown
    await writeBatch(pool, trades('late', GONE + 30_500, 1, 0), [])
    const after = await kpiCandles(pool, 'AAPL', GONE, GONE + 600 * S, 60)
    expect(after.buckets[0]).toMatchObject({
      open: null,
      close: null,
      vwap: null,
      trades: goneBefore.buckets[0]!.trades + 1,
    })
    // A late trade in a second that had none makes a known row; its 5 min bucket still has unknown ones.
    await writeBatch(pool, trades('late2', GONE + 200_000, 1, 0), [])
    const mixed = await kpiCandles(pool, 'AAPL', GONE, GONE + 600 * S, 300)
    expect(mixed.buckets).toHaveLength(1)
    expect(mixed.buckets[0]).toMatchObject({ open: null, close: null, vwap: null })
    expect((await kpiCandles(pool, 'AAPL', GONE + 200_000, GONE + 201_000, 1)).buckets[0]!.open).toBe(
      trades('late2', 0, 1, 0)[0]!.price,
    )
  })

  it('comes with every snapshot, for its symbol and buckets', async () => {
    const from = KEPT + 1000 * S
    const busiest = await kpiSnapshot(pool, { from, to: from + 3_600_000 })
    expect(busiest.bucketS).toBe(1)
    expect(busiest.candles.symbol).toBe(busiest.volumeTrend.symbol)
    expectSameCandles(
      busiest.candles,
      await rawCandles(pool, busiest.volumeTrend.symbol, from, from + 3_600_000, 1),
    )
    const chosen = await kpiSnapshot(pool, {
      from,
      to: from + 3_600_000,
      symbol: 'IC MARKETS:1',
      bucketS: 60,
    })
    expectSameCandles(chosen.candles, await rawCandles(pool, 'IC MARKETS:1', from, from + 3_600_000, 60))
    const none = await kpiSnapshot(pool, { from: Date.UTC(2023, 0, 1), to: Date.UTC(2023, 0, 1, 0, 5) })
    expect(none.candles).toEqual({ symbol: null, bucketS: 1, buckets: [] })
  })
})
