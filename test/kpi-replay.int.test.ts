import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { kpiSnapshot } from '../src/main/kpi/snapshot'
import { writeFrameFile } from '../src/main/pipeline/sources/jsonl'
import { ReplaySource } from '../src/main/pipeline/sources/replay'
import type { FinnhubTrade } from '../src/shared/trade'
import { openHarness, type Harness } from './helpers/harness'

// T0 is a multiple of 30 s, so the three data-loss windows are [T0, T0+30s), [+30s, +60s), [+60s, +90s).
const T0 = 1_714_000_020_000
const at = (s: number, ms = 0): number => T0 + s * 1000 + ms
const tr = (s: string, p: number, v: number, t: number, c: string[] | null = null): FinnhubTrade => ({
  s,
  p,
  t,
  v,
  c,
})

// Frames as Finnhub sends them: bursts of several trades, identical ones included.
const FRAMES: FinnhubTrade[][] = [
  [
    tr('AAPL', 171.46, 100, at(0, 120), ['1', '12']),
    tr('AAPL', 171.46, 100, at(0, 120), ['1', '12']),
    tr('AAPL', 171.46, 100, at(0, 120), ['1', '12']),
  ],
  [tr('AMZN', 181.08, 50, at(0, 500)), tr('BINANCE:BTCUSDT', 60000, 0.002, at(0, 900))],
  [tr('IC MARKETS:1', 1.0851, 0, at(1, 10)), tr('AAPL', 171.5, 20, at(1, 400))],
  [tr('AMZN', 181.2, 10, at(12, 0)), tr('BINANCE:BTCUSDT', 60010, 0, at(12, 1))],
  // second window: AAPL and BTC only
  [tr('AAPL', 171.4, 40, at(31, 0)), tr('BINANCE:BTCUSDT', 59990, 0.5, at(45, 999))],
  // third window: only AAPL
  [tr('AAPL', 171.3, 60, at(75, 250))],
]

describe('replay fixture → KPIs', () => {
  let h: Harness | null = null
  let dir: string | null = null
  afterEach(async () => {
    await h?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('yields the values computed by hand', async () => {
    h = await openHarness()
    dir = await mkdtemp(join(tmpdir(), 'tickflow-replay-'))
    const file = join(dir, 'fixture.jsonl')
    await writeFrameFile(
      file,
      FRAMES.map((data, i) => ({ receivedAt: at(0, i), raw: JSON.stringify({ type: 'trade', data }) })),
    )
    const source = new ReplaySource({ path: file, speed: 'max' })
    const pipeline = h.pipeline(source)
    await pipeline.start()
    await source.finished
    await pipeline.stop()
    expect(pipeline.status().counters).toMatchObject({ received: 12, written: 12, rejected: 0, dropped: 0 })

    const k = await kpiSnapshot(h.db.pool, { from: T0, to: at(90), symbol: 'AAPL' })
    expect(k.totalTrades).toBe(12)

    // KPIs 1, 3, 4, 6 per symbol, by hand from FRAMES above.
    const bySymbol = Object.fromEntries(k.symbols.map((s) => [s.symbol, s]))
    expect(Object.keys(bySymbol).sort()).toEqual(['AAPL', 'AMZN', 'BINANCE:BTCUSDT', 'IC MARKETS:1'])
    // AAPL: 3 × (171.46, 100) + (171.5, 20) + (171.4, 40) + (171.3, 60)
    expect(bySymbol['AAPL']!.trades).toBe(6)
    expect(bySymbol['AAPL']!.avgVolume).toBeCloseTo((300 + 20 + 40 + 60) / 6, 9)
    expect(bySymbol['AAPL']!.avgPrice).toBeCloseTo((3 * 171.46 + 171.5 + 171.4 + 171.3) / 6, 9)
    expect(bySymbol['AAPL']!.minPrice).toBe(171.3)
    expect(bySymbol['AAPL']!.maxPrice).toBe(171.5)
    expect(bySymbol['AMZN']).toMatchObject({ trades: 2, avgVolume: 30, minPrice: 181.08, maxPrice: 181.2 })
    expect(bySymbol['AMZN']!.avgPrice).toBeCloseTo((181.08 + 181.2) / 2, 9)
    expect(bySymbol['BINANCE:BTCUSDT']).toMatchObject({ trades: 3, minPrice: 59990, maxPrice: 60010 })
    expect(bySymbol['BINANCE:BTCUSDT']!.avgVolume).toBeCloseTo((0.002 + 0 + 0.5) / 3, 12)
    expect(bySymbol['IC MARKETS:1']).toMatchObject({ trades: 1, avgVolume: 0, avgPrice: 1.0851 })

    // KPI 2: trades per 1 s bucket; 90 buckets, non-empty at seconds 0, 1, 12, 31, 45, 75.
    expect(k.tradesPerSecond.buckets).toHaveLength(90)
    const busy = k.tradesPerSecond.buckets
      .filter((b) => b.trades > 0)
      .map((b) => [(b.start - T0) / 1000, b.trades])
    expect(busy).toEqual([
      [0, 5],
      [1, 2],
      [12, 2],
      [31, 1],
      [45, 1],
      [75, 1],
    ])
    expect(k.tradesPerSecond.average).toBeCloseTo(12 / 90, 12)

    // KPI 5: distinct symbols per 30 s window against the 4 subscribed.
    expect(k.dataLoss.buckets.map((b) => [b.symbolsSeen, b.symbolsMissing, b.dataLoss])).toEqual([
      [4, 0, false],
      [2, 2, true],
      [1, 3, true],
    ])
    expect(k.dataLoss.lossWindows).toBe(2)

    // KPI 7: AAPL's volume per 1 s bucket.
    const aapl = k.volumeTrend.buckets
      .filter((b) => b.trades > 0)
      .map((b) => [(b.start - T0) / 1000, b.volume])
    expect(k.volumeTrend.symbol).toBe('AAPL')
    expect(aapl).toEqual([
      [0, 300],
      [1, 20],
      [31, 40],
      [75, 60],
    ])

    // KPI 8: every trade has a latency sample; each stage is non-negative and written ≥ traded.
    const total = k.latency.find((l) => l.stage === 'trade_to_db')!
    expect(total.samples).toBe(12)
    expect(total.p50Ms).toBeGreaterThan(0)
    const stages = await h.db.pool.query<{ bad: number }>(
      `SELECT count(*) AS bad FROM trades
       WHERE NOT (received_at <= consumed_at AND consumed_at <= written_at)`,
    )
    expect(stages.rows[0]!.bad).toBe(0)

    // The three identical trades are three rows; their conditions stored as one text (sql/013).
    const same = await h.db.pool.query<{ n: number; conditions: string }>(
      `SELECT count(*) AS n, min(conditions) AS conditions FROM trades
       WHERE symbol = 'AAPL' AND price = 171.46 AND volume = 100`,
    )
    expect(same.rows[0]).toEqual({ n: 3, conditions: '1 12' })
  })
})
