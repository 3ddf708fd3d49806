import { describe, expect, it } from 'vitest'
import { LATENCY_STAGES, type KpiSnapshot, type KpiSnapshotRequest } from '../../shared/kpi'
import { setThreshold } from '../postgres/thresholds'
import { BTC, FX, T0, withKpiData } from '../../../test/helpers/kpi-test-data'
import { rawSnapshot } from '../../../test/helpers/snapshot-compare'
import { kpiSnapshot } from './snapshot'

/*
 * The series of sql/006 (bucketS, tradesPerSecond.bySymbol, dataLoss missing, latencyTrend), by
 * hand from the data set of kpi-test-data.ts, from the rollups and from raw trades alike.
 * trade_to_db per trade = r + 10 + w: 115, 215, …, 715 for the seven trades of [T0, T0+30 s),
 * 815 for AAPL@60 s and 960 for FX@89.999 s.
 */

const trend = (s: KpiSnapshot, stage: string): Record<'p50Ms' | 'p95Ms' | 'p99Ms', (number | null)[]> =>
  s.latencyTrend.stages.find((x) => x.stage === stage)!
const rate = (s: KpiSnapshot): Record<string, number[]> =>
  Object.fromEntries(s.tradesPerSecond.bySymbol.map((x) => [x.symbol, x.perSecond]))
const near = (xs: number[]): unknown[] => xs.map((x) => expect.closeTo(x, 9))

describe('kpi_snapshot series, by hand', () => {
  const data = withKpiData()
  const SOURCES: [string, (req: KpiSnapshotRequest) => Promise<KpiSnapshot>][] = [
    ['rollups', (req) => kpiSnapshot(data.db.pool, req)],
    ['raw trades', (req) => rawSnapshot(data.db, req)],
  ]

  it.each(SOURCES)('30 s buckets over [T0, T0+90 s), from %s', async (_, snapshot) => {
    // Unsorted, a duplicate, and MSFT, which never trades.
    const s = await snapshot({
      from: T0,
      to: T0 + 90_000,
      bucketS: 30,
      symbols: ['MSFT', 'AMZN', FX, 'AAPL', BTC, 'AMZN'],
    })
    expect(s).toMatchObject({ rateIntervalS: 1, bucketS: 30, dataLossWindowS: 30, totalTrades: 9 })
    expect(s.tradesPerSecond.buckets).toEqual([
      { start: T0, trades: 7, perSecond: 7 / 30 },
      { start: T0 + 30_000, trades: 0, perSecond: 0 },
      { start: T0 + 60_000, trades: 2, perSecond: 2 / 30 },
    ])
    expect(s.tradesPerSecond.bySymbol.map((x) => x.symbol)).toEqual(['AAPL', 'AMZN', BTC, FX])
    expect(rate(s)).toEqual({
      AAPL: [3 / 30, 0, 1 / 30],
      AMZN: [1 / 30, 0, 0],
      [BTC]: [2 / 30, 0, 0],
      [FX]: [1 / 30, 0, 1 / 30],
    })
    expect(s.dataLoss.buckets.map((b) => [b.symbolsSeen, b.symbolsMissing, b.missing])).toEqual([
      [4, 0, ['MSFT']],
      [0, 4, ['AAPL', 'AMZN', BTC, FX, 'MSFT']],
      [2, 2, ['AMZN', BTC, 'MSFT']],
    ])
    expect(s.volumeTrend).toEqual({
      symbol: 'AAPL',
      buckets: [
        { start: T0, volume: 60, trades: 3 },
        { start: T0 + 30_000, volume: 0, trades: 0 },
        { start: T0 + 60_000, volume: 40, trades: 1 },
      ],
    })
    // Only buckets with samples: [T0+30 s, T0+60 s) had no trade.
    expect(s.latencyTrend.start).toEqual([T0, T0 + 60_000])
    expect(s.latencyTrend.stages.map((x) => x.stage)).toEqual([...LATENCY_STAGES])
    // [115 … 715]: p50 rank 3; p95 h = 5.7 → 615 + 0.7·100; p99 h = 5.94. [815, 960]: h = q.
    expect(trend(s, 'trade_to_db')).toMatchObject({
      p50Ms: near([415, 887.5]),
      p95Ms: near([685, 952.75]),
      p99Ms: near([709, 958.55]),
    })
    expect(trend(s, 'kafka_to_consumer')).toMatchObject({ p50Ms: [10, 10], p95Ms: [10, 10], p99Ms: [10, 10] })
    // consumer_to_db = w: six 5s and one 5 → 5; then [5, 50] → 5 + 0.95·45 for p95
    expect(trend(s, 'consumer_to_db')).toMatchObject({ p50Ms: near([5, 27.5]), p95Ms: near([5, 47.75]) })
  })

  it.each(SOURCES)('60 s buckets over ragged [T0+0.5 s, T0+89.999 s), from %s', async (_, snapshot) => {
    // In: AAPL@0.5, 1, 60; BTC@1.2, 1.7; AMZN@15; FX@29.999. Out: AAPL@0, FX@89.999.
    const s = await snapshot({ from: T0 + 500, to: T0 + 89_999, bucketS: 60, symbols: [FX, 'AAPL'] })
    expect(s.bucketS).toBe(60)
    expect(s.tradesPerSecond.buckets).toEqual([
      { start: T0, trades: 6, perSecond: 6 / 60 },
      { start: T0 + 60_000, trades: 1, perSecond: 1 / 60 },
    ])
    expect(rate(s)).toEqual({
      AAPL: [2 / 60, 1 / 60],
      AMZN: [1 / 60, 0],
      [BTC]: [2 / 60, 0],
      [FX]: [1 / 60, 0],
    })
    // FX's second trade is at 89.999 s, just outside: it is missing from the last bucket.
    expect(s.dataLoss.buckets.map((b) => [(b.start - T0) / 1000, b.missing])).toEqual([
      [0, []],
      [30, ['AAPL', FX]],
      [60, [FX]],
    ])
    expect(s.volumeTrend.buckets).toEqual([
      { start: T0, volume: 50, trades: 2 },
      { start: T0 + 60_000, volume: 40, trades: 1 },
    ])
    // [215 … 715] → p50 h = 2.5: 415 + 0.5·100; one sample (815) → 815
    expect(s.latencyTrend.start).toEqual([T0, T0 + 60_000])
    expect(trend(s, 'trade_to_db')).toMatchObject({ p50Ms: near([465, 815]), p99Ms: near([710, 815]) })
  })

  it.each(SOURCES)('an empty window has empty series, from %s', async (_, snapshot) => {
    const s = await snapshot({ from: T0 + 3_600_000, to: T0 + 3_660_000, bucketS: 20, symbols: ['AAPL'] })
    expect(s.tradesPerSecond.buckets.map((b) => b.trades)).toEqual([0, 0, 0])
    expect(s.tradesPerSecond.bySymbol).toEqual([])
    expect(s.dataLoss.buckets.map((b) => b.missing)).toEqual([['AAPL'], ['AAPL']])
    // the raw reference does not name the trend's width; kpi_snapshot does: the series' own
    const { bucketS, ...trend } = s.latencyTrend
    expect(trend).toEqual({
      start: [],
      stages: LATENCY_STAGES.map((stage) => ({ stage, p50Ms: [], p95Ms: [], p99Ms: [] })),
    })
    expect([undefined, 20]).toContain(bucketS)
  })

  it('widens a bucket narrower than rate_interval_s and refuses one that is not a multiple of it', async () => {
    const pool = data.db.pool
    const win = { from: T0, to: T0 + 90_000 }
    await expect(kpiSnapshot(pool, { ...win, bucketS: 1.5 })).rejects.toThrow(/whole seconds/)
    await expect(kpiSnapshot(pool, { ...win, bucketS: 0 })).rejects.toThrow(/whole seconds/)
    await setThreshold(pool, 'rate_interval_s', 7)
    try {
      for (const fn of ['kpi_snapshot', 'kpi_snapshot_raw']) {
        await expect(
          pool.query(`SELECT ${fn}(now() - interval '1 minute', now(), NULL, 10)`),
        ).rejects.toThrow(/bucket of 10 s is not a whole multiple of rate_interval_s \(7 s\)/)
      }
      expect((await kpiSnapshot(pool, { ...win, bucketS: 3 })).bucketS).toBe(7)
      const s = await kpiSnapshot(pool, { ...win, bucketS: 14 })
      expect(s).toMatchObject({ rateIntervalS: 7, bucketS: 14 })
      // 14 s buckets aligned to the epoch: T0 = 1704189600 s ≡ 8 (mod 14) lies 8 s into one
      expect(s.tradesPerSecond.buckets[0]!.start).toBe(T0 - 8_000)
      expect(s.tradesPerSecond.buckets.map((b) => b.trades)).toEqual([5, 1, 1, 0, 1, 0, 1])
    } finally {
      await setThreshold(pool, 'rate_interval_s', 1)
    }
  })
})
