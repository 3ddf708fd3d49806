import { beforeAll, describe, expect, it } from 'vitest'
import type { KpiSnapshot } from '../../shared/kpi'
import { setThreshold } from '../postgres/thresholds'
import { BTC, FX, stage, T0, withKpiData } from '../../../test/helpers/kpi-test-data'
import { rawSnapshot } from '../../../test/helpers/snapshot-compare'
import { kpiSnapshot } from './snapshot'

describe('KPIs on a hand-made data set', () => {
  const data = withKpiData()

  describe('kpi_snapshot over [T0, T0+90 s)', () => {
    let s: KpiSnapshot
    beforeAll(async () => {
      s = await kpiSnapshot(data.db.pool, { from: T0, to: T0 + 90_000 })
    })

    it('echoes the window and thresholds, counts trades', () => {
      expect(s).toMatchObject({
        from: T0,
        to: T0 + 90_000,
        rateIntervalS: 1,
        bucketS: 1,
        dataLossWindowS: 30,
        symbolsSubscribed: 4,
      })
      expect(s.totalTrades).toBe(9)
      expect(s.rejects).toBe(0)
    })

    it('KPIs 1, 3, 4, 6 per symbol (colons, spaces, a volume-0 trade)', () => {
      expect(s.symbols.map((x) => x.symbol)).toEqual(['AAPL', 'AMZN', BTC, FX])
      const by = Object.fromEntries(s.symbols.map((x) => [x.symbol, x]))
      expect(by['AAPL']).toEqual({
        symbol: 'AAPL',
        trades: 4,
        avgVolume: 25,
        totalVolume: 100,
        avgPrice: 171.75,
        minPrice: 170,
        maxPrice: 174,
        priceRange: 4,
      })
      expect(by['AMZN']).toMatchObject({ trades: 1, avgVolume: 5, avgPrice: 181, priceRange: 0 })
      expect(by[BTC]).toMatchObject({
        trades: 2,
        avgVolume: 0.25,
        totalVolume: 0.5,
        avgPrice: 60005,
        minPrice: 60000,
        maxPrice: 60010,
      })
      expect(by[FX]).toMatchObject({ trades: 2, avgVolume: 0.5, minPrice: 1.1, maxPrice: 1.2 })
      expect(by[FX]?.avgPrice).toBeCloseTo(1.15, 12)
      expect(by[FX]?.priceRange).toBeCloseTo(0.1, 12)
    })

    it('KPI 2: one zero-filled bucket per second', () => {
      const b = s.tradesPerSecond.buckets
      expect(b).toHaveLength(90)
      expect(b[0]?.start).toBe(T0)
      expect(b[89]?.start).toBe(T0 + 89_000)
      const nonZero = b.filter((x) => x.trades > 0).map((x) => [(x.start - T0) / 1000, x.trades, x.perSecond])
      expect(nonZero).toEqual([
        [0, 2, 2],
        [1, 3, 3],
        [15, 1, 1],
        [29, 1, 1],
        [60, 1, 1],
        [89, 1, 1],
      ])
      expect(s.tradesPerSecond.average).toBeCloseTo(0.1, 12)
    })

    it('KPI 5: an empty window shows as 0 symbols seen', () => {
      expect(s.dataLoss.buckets).toEqual([
        {
          start: T0,
          symbolsSeen: 4,
          symbolsExpected: 4,
          symbolsMissing: 0,
          dataLoss: false,
          partial: false,
          missing: [], // no symbols asked for: none named
        },
        {
          start: T0 + 30_000,
          symbolsSeen: 0,
          symbolsExpected: 4,
          symbolsMissing: 4,
          dataLoss: true,
          partial: false,
          missing: [],
        },
        {
          start: T0 + 60_000,
          symbolsSeen: 2,
          symbolsExpected: 4,
          symbolsMissing: 2,
          dataLoss: true,
          partial: false,
          missing: [],
        },
      ])
      expect(s.dataLoss.lossWindows).toBe(2)
    })

    it('KPI 7: volume trend of the most traded symbol by default', () => {
      expect(s.volumeTrend.symbol).toBe('AAPL')
      expect(s.volumeTrend.buckets).toHaveLength(90)
      const nonZero = s.volumeTrend.buckets
        .filter((x) => x.trades > 0)
        .map((x) => [(x.start - T0) / 1000, x.volume, x.trades])
      expect(nonZero).toEqual([
        [0, 40, 2],
        [1, 20, 1],
        [60, 40, 1],
      ])
    })

    it('KPI 8: latency per stage with hand-computed percentiles (linear interpolation)', () => {
      expect(s.latency.map((l) => l.stage)).toEqual([
        'trade_to_db',
        'trade_to_kafka',
        'kafka_to_consumer',
        'consumer_to_db',
        'kafka_to_db',
      ])
      // trade_to_db = r + 10 + w = 115, 215, …, 815, 960 → p95 at rank 7.6 = 815 + 0.6·145
      expect(stage(s, 'trade_to_db')).toEqual({
        stage: 'trade_to_db',
        samples: 9,
        avgMs: expect.closeTo(520, 9),
        p50Ms: 515,
        p95Ms: expect.closeTo(902, 9),
        p99Ms: expect.closeTo(948.4, 9),
        maxMs: 960,
      })
      expect(stage(s, 'trade_to_kafka')).toMatchObject({
        avgMs: expect.closeTo(500, 9),
        p50Ms: 500,
        p95Ms: expect.closeTo(860, 9),
        p99Ms: expect.closeTo(892, 9),
        maxMs: 900,
      })
      expect(stage(s, 'kafka_to_consumer')).toMatchObject({
        avgMs: 10,
        p50Ms: 10,
        p95Ms: 10,
        p99Ms: 10,
        maxMs: 10,
      })
      const near = (n: number): unknown => expect.closeTo(n, 9)
      expect(stage(s, 'consumer_to_db')).toMatchObject({
        avgMs: near(10),
        p50Ms: 5,
        p95Ms: near(32),
        p99Ms: near(46.4),
        maxMs: 50,
      })
      expect(stage(s, 'kafka_to_db')).toMatchObject({
        avgMs: near(20),
        p50Ms: 15,
        p95Ms: near(42),
        p99Ms: near(56.4),
        maxMs: 60,
      })
    })
  })

  it('picks the requested symbol for the volume trend, even one with spaces', async () => {
    const s = await kpiSnapshot(data.db.pool, { from: T0, to: T0 + 90_000, symbol: FX })
    expect(s.volumeTrend.symbol).toBe(FX)
    const nonZero = s.volumeTrend.buckets
      .filter((x) => x.trades > 0)
      .map((x) => [(x.start - T0) / 1000, x.volume, x.trades])
    expect(nonZero).toEqual([
      [29, 0, 1],
      [89, 1, 1],
    ])
  })

  it('marks edge buckets of an unaligned window as partial and counts only trades inside', async () => {
    const s = await kpiSnapshot(data.db.pool, { from: T0 + 10_000, to: T0 + 70_000 })
    expect(s.totalTrades).toBe(3) // AMZN@15 s, FX@29.999 s, AAPL@60 s
    expect(s.dataLoss.buckets.map((b) => [(b.start - T0) / 1000, b.symbolsSeen, b.partial])).toEqual([
      [0, 2, true],
      [30, 0, false],
      [60, 1, true],
    ])
    expect(s.tradesPerSecond.buckets).toHaveLength(60)
  })

  it('counts only complete windows as data loss: a partial one may have missed symbols outside the range', async () => {
    // As a live window's last bucket, still open, and the first one of a run, cut by its start.
    const req = { from: T0 + 10_000, to: T0 + 70_000 }
    for (const s of [await kpiSnapshot(data.db.pool, req), await rawSnapshot(data.db, req)]) {
      expect(s.dataLoss.buckets.map((b) => [b.symbolsSeen, b.partial, b.dataLoss])).toEqual([
        [2, true, false],
        [0, false, true],
        [1, true, false],
      ])
      expect(s.dataLoss.lossWindows).toBe(1)
    }
  })

  it('an empty window has zero buckets, no symbols and null latencies', async () => {
    const s = await kpiSnapshot(data.db.pool, { from: T0 + 3_600_000, to: T0 + 3_660_000 })
    expect(s.totalTrades).toBe(0)
    expect(s.symbols).toEqual([])
    expect(s.volumeTrend).toEqual({ symbol: null, buckets: [] })
    expect(s.dataLoss.buckets.map((b) => b.symbolsSeen)).toEqual([0, 0])
    expect(s.dataLoss.lossWindows).toBe(2)
    expect(stage(s, 'trade_to_db')).toEqual({
      stage: 'trade_to_db',
      samples: 0,
      avgMs: null,
      p50Ms: null,
      p95Ms: null,
      p99Ms: null,
      maxMs: null,
    })
  })

  it('does not depend on the session TimeZone', async () => {
    const utc = await kpiSnapshot(data.db.pool, { from: T0, to: T0 + 90_000 })
    const client = await data.db.pool.connect()
    try {
      await client.query(`SET TimeZone = 'Asia/Kolkata'`) // +05:30: a 30 s grid would still align, a day would not
      expect(await kpiSnapshot(client, { from: T0, to: T0 + 90_000 })).toEqual(utc)
    } finally {
      client.release(true)
    }
  })

  it('refuses an empty or reversed window and a window with too many buckets', async () => {
    await expect(kpiSnapshot(data.db.pool, { from: T0, to: T0 })).rejects.toThrow(/from < to/)
    await expect(
      data.db.pool.query(`SELECT kpi_snapshot(now(), now() - interval '1 s', NULL)`),
    ).rejects.toThrow(/p_from < p_to/)
    await expect(kpiSnapshot(data.db.pool, { from: T0, to: T0 + 200_000_000 })).rejects.toThrow(
      /more than 100000 buckets/,
    )
  })

  it('follows changed thresholds (10 s rate buckets, 60 s loss windows, 2 symbols)', async () => {
    await setThreshold(data.db.pool, 'rate_interval_s', 10)
    await setThreshold(data.db.pool, 'data_loss_window_s', 60)
    await setThreshold(data.db.pool, 'symbols_subscribed', 2)
    try {
      const s = await kpiSnapshot(data.db.pool, { from: T0, to: T0 + 90_000 })
      expect(s).toMatchObject({ rateIntervalS: 10, bucketS: 10, dataLossWindowS: 60, symbolsSubscribed: 2 })
      expect(s.tradesPerSecond.buckets.map((b) => [b.trades, b.perSecond])).toEqual([
        [5, 0.5],
        [1, 0.1],
        [1, 0.1],
        [0, 0],
        [0, 0],
        [0, 0],
        [1, 0.1],
        [0, 0],
        [1, 0.1],
      ])
      expect(
        s.dataLoss.buckets.map((b) => [
          (b.start - T0) / 1000,
          b.symbolsSeen,
          b.symbolsMissing,
          b.dataLoss,
          b.partial,
        ]),
      ).toEqual([
        [0, 4, 0, false, false],
        [60, 2, 0, false, true],
      ])
      const view = await data.db.pool.query(
        `SELECT interval_s, trades FROM kpi_trades_per_second WHERE bucket_start = $1::bigint * interval '1 ms' + timestamptz 'epoch'`,
        [T0],
      )
      expect(view.rows).toEqual([{ interval_s: 10, trades: 5 }])
    } finally {
      await setThreshold(data.db.pool, 'rate_interval_s', 1)
      await setThreshold(data.db.pool, 'data_loss_window_s', 30)
      await setThreshold(data.db.pool, 'symbols_subscribed', 4)
    }
  })
})
