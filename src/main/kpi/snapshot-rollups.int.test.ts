import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDatabase } from '../../../test/setup/test-database'
import type { Database } from '../postgres/database'
import { setThreshold } from '../postgres/thresholds'
import { BTC, FX, T0, withKpiData } from '../../../test/helpers/kpi-test-data'
import { expectSameKpis, rawSnapshot } from '../../../test/helpers/snapshot-compare'
import { kpiSnapshot } from './snapshot'

const ms = (i: number): string => `timestamptz 'epoch' + ${i}::bigint * interval '1 ms'`

// S6 never trades: every data-loss bucket names it, and empty buckets name all seven.
const SYMBOLS = ['S3', 'S0', 'S6', 'S1', 'S2', 'S4', 'S5']

describe('kpi_snapshot on rollups', () => {
  let db: Database
  // 30 000 trades over 3½ minutes from TS (minute-aligned), 6 symbols, 3 partitions, latencies
  // from 0 to ~10 s, skewed like real ones, in 6 inserts so the rollups merge.
  const TS = Date.UTC(2024, 0, 3, 9, 0, 0)
  beforeAll(async () => {
    db = await openTestDatabase()
    for (let k = 0; k < 6; k++) {
      await db.pool.query(
        `INSERT INTO trades (symbol, price, volume, traded_at, received_at, consumed_at, written_at,
                             kafka_topic, kafka_partition)
         SELECT 'S' || (h % 6), 50 + (h % 997) / 10.0, (h % 13) / 8.0, t, r, c, c + (h % 41) * interval '1 ms', 'x', h % 3
         FROM (SELECT i, h, ${ms(TS)} + (i * 7) * interval '1 ms' AS t,
                      ${ms(TS)} + (i * 7) * interval '1 ms' + floor(exp((h % 1000) / 110.0)) * interval '1 ms' AS r,
                      ${ms(TS)} + (i * 7 + h % 23) * interval '1 ms' + floor(exp((h % 1000) / 110.0)) * interval '1 ms' AS c
               FROM (SELECT i, (i * 2654435761) % 4294967291 AS h FROM generate_series($1::bigint, $2::bigint) i) g) x`,
        [k * 5000, k * 5000 + 4999],
      )
    }
  })
  afterAll(async () => {
    await db?.close()
  })

  const WINDOWS: [string, number, number][] = [
    ['ragged edges across minutes', TS + 123, TS + 185_877],
    ['ragged edges inside one minute', TS + 61_250, TS + 119_999],
    ['across a minute boundary inside one second', TS + 59_500, TS + 60_500],
    ['inside one second', TS + 10_200, TS + 10_700],
    ['whole seconds, no whole minute', TS + 1_000, TS + 59_000],
    ['whole minutes with empty ones around', TS - 120_000, TS + 300_000],
  ]
  it.each(WINDOWS)(
    '%s: KPIs 1-7 exactly as from raw trades, latency within the bound',
    async (_, from, to) => {
      const a = await kpiSnapshot(db.pool, { from, to })
      expect(a.totalTrades).toBeGreaterThan(0)
      expect(a.tradesPerSecond.bySymbol.map((x) => x.symbol)).toEqual(a.symbols.map((x) => x.symbol))
      expectSameKpis(a, await rawSnapshot(db, { from, to }))
    },
  )

  // 10 s buckets read the 1 s rollups for the series, 60 s and 120 s ones the minute rollups.
  it.each(WINDOWS.flatMap(([name, from, to]) => [10, 60, 120].map((b) => [name, b, from, to] as const)))(
    '%s, %i s buckets, named missing symbols: as from raw trades',
    async (_, bucketS, from, to) => {
      const req = { from, to, bucketS, symbols: SYMBOLS }
      const a = await kpiSnapshot(db.pool, req)
      expect(a.bucketS).toBe(bucketS)
      expect(a.tradesPerSecond.buckets.length).toBe(
        Math.ceil(to / 1000 / bucketS) - Math.floor(from / 1000 / bucketS),
      )
      expect(a.dataLoss.buckets.every((b) => b.missing.includes('S6'))).toBe(true)
      a.tradesPerSecond.bySymbol.forEach((s) =>
        expect(s.perSecond).toHaveLength(a.tradesPerSecond.buckets.length),
      )
      expectSameKpis(a, await rawSnapshot(db, req))
    },
  )

  it('bucket widths that do not divide a minute (7 s rate, 45 s loss windows), a chosen symbol', async () => {
    await setThreshold(db.pool, 'rate_interval_s', 7)
    await setThreshold(db.pool, 'data_loss_window_s', 45)
    await setThreshold(db.pool, 'symbols_subscribed', 6)
    try {
      for (const [, from, to] of WINDOWS.slice(0, 2)) {
        for (const bucketS of [undefined, 21, 420]) {
          const req = { from, to, symbol: 'S4', bucketS, symbols: SYMBOLS }
          const a = await kpiSnapshot(db.pool, req)
          expect(a).toMatchObject({ rateIntervalS: 7, bucketS: bucketS ?? 7 })
          expect(a.dataLoss.buckets.some((b) => b.symbolsSeen === 6)).toBe(true)
          expectSameKpis(a, await rawSnapshot(db, req))
        }
      }
    } finally {
      await setThreshold(db.pool, 'rate_interval_s', 1)
      await setThreshold(db.pool, 'data_loss_window_s', 30)
      await setThreshold(db.pool, 'symbols_subscribed', 4)
    }
  })

  it.each([10, 60])(
    'latency percentiles (%i s trend) are estimates, not copies of the exact ones',
    async (bucketS) => {
      const req = { from: TS, to: TS + 210_000, bucketS }
      const a = await kpiSnapshot(db.pool, req)
      const b = await rawSnapshot(db, req)
      expectSameKpis(a, b)
      // With ~30 k spread samples some percentile must differ: proves the rollups were read.
      expect(a.latency.some((l, i) => l.p95Ms !== b.latency[i]!.p95Ms)).toBe(true)
      const p95 = (s: typeof a): (number | null)[] => s.latencyTrend.stages.flatMap((x) => x.p95Ms)
      expect(p95(a)).not.toEqual(p95(b))
      expect(a.latencyTrend.start).toHaveLength(Math.ceil(210 / bucketS))
    },
  )
})

describe('kpi_snapshot on rollups, by hand', () => {
  const data = withKpiData()

  it('a window with sub-second edges [T0+0.5 s, T0+89.999 s) counts exactly the trades inside', async () => {
    const s = await kpiSnapshot(data.db.pool, { from: T0 + 500, to: T0 + 89_999 })
    // Out: AAPL@0 (before), FX@89.999 s (to is exclusive). In: AAPL@0.5, 1, 60; BTC@1.2, 1.7; FX@29.999; AMZN@15.
    expect(s.totalTrades).toBe(7)
    const by = Object.fromEntries(s.symbols.map((x) => [x.symbol, x]))
    expect(by['AAPL']).toMatchObject({
      trades: 3,
      avgVolume: 30,
      totalVolume: 90,
      minPrice: 171,
      maxPrice: 174,
    })
    expect(by['AAPL']!.avgPrice).toBeCloseTo(517 / 3, 12)
    expect(by[BTC]).toMatchObject({ trades: 2, totalVolume: 0.5, minPrice: 60000, maxPrice: 60010 })
    expect(by[FX]).toMatchObject({ trades: 1, avgPrice: 1.1, totalVolume: 0 })
    expect(by['AMZN']).toMatchObject({ trades: 1, avgPrice: 181 })
    expect(s.tradesPerSecond.buckets[0]).toEqual({ start: T0, trades: 1, perSecond: 1 })
    expect(s.dataLoss.buckets.map((b) => [b.symbolsSeen, b.partial])).toEqual([
      [4, true],
      [0, false],
      [1, true],
    ])
    // trade_to_db of the 7: 215, 315, 415, 515, 615, 715, 815 → median 515, max 815
    expect(s.latency[0]).toMatchObject({ stage: 'trade_to_db', samples: 7, p50Ms: 515, maxMs: 815 })
  })
})
