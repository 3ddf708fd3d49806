import type { LagPoint, WindowSnapshot } from '@shared/contract'
import type { KpiSnapshot, LatencyStats } from '@shared/kpi'
import { colorFor } from '../theme/palette'
import type { ChartContext } from './types'

/**
 * A small hand-made snapshot for the option builders' tests: four symbols over 105 s from
 * 2024-01-15 12:00:00 UTC in 30 s buckets (the last one partial), with one data-loss window at
 * 12:00:30 where IC MARKETS:1 did not trade. Used by tests only.
 */

export const T0 = Date.UTC(2024, 0, 15, 12, 0, 0)
export const SYMBOLS = ['AAPL', 'AMZN', 'BINANCE:BTCUSDT', 'IC MARKETS:1']
const S = 1000
const STARTS = [T0, T0 + 30 * S, T0 + 60 * S, T0 + 90 * S]

/** trades per bucket per symbol; the columns sum to [30, 25, 30, 15] */
const TRADES: Record<string, number[]> = {
  AAPL: [12, 10, 12, 6],
  AMZN: [9, 8, 9, 4],
  'BINANCE:BTCUSDT': [7, 7, 7, 4],
  'IC MARKETS:1': [2, 0, 2, 1],
}

function stats(stage: LatencyStats['stage'], avgMs: number): LatencyStats {
  return {
    stage,
    samples: 100,
    avgMs,
    p50Ms: avgMs * 0.8,
    p95Ms: avgMs * 2,
    p99Ms: avgMs * 3,
    maxMs: avgMs * 5,
  }
}

export function makeKpis(): KpiSnapshot {
  const perSecond = (n: number): number => n / 30
  const totals = STARTS.map((_, i) => SYMBOLS.reduce((sum, s) => sum + (TRADES[s]?.[i] ?? 0), 0))
  return {
    from: T0,
    to: T0 + 105 * S,
    rateIntervalS: 1,
    bucketS: 30,
    dataLossWindowS: 30,
    symbolsSubscribed: 4,
    totalTrades: 100,
    rejects: 0,
    // in the SQL's order (by symbol), not the panel's
    symbols: [
      {
        symbol: 'AAPL',
        trades: 40,
        avgVolume: 120,
        totalVolume: 4800,
        avgPrice: 171.46,
        minPrice: 170.9,
        maxPrice: 172.1,
        priceRange: 1.2,
      },
      {
        symbol: 'AMZN',
        trades: 30,
        avgVolume: 80,
        totalVolume: 2400,
        avgPrice: 181.08,
        minPrice: 180.5,
        maxPrice: 181.5,
        priceRange: 1,
      },
      {
        symbol: 'BINANCE:BTCUSDT',
        trades: 25,
        avgVolume: 0.002,
        totalVolume: 0.05,
        avgPrice: 60_000,
        minPrice: 59_800,
        maxPrice: 60_300,
        priceRange: 500,
      },
      {
        symbol: 'IC MARKETS:1',
        trades: 5,
        avgVolume: 1.5,
        totalVolume: 7.5,
        avgPrice: 1.0856,
        minPrice: 1.085,
        maxPrice: 1.0862,
        priceRange: 0.0012,
      },
    ],
    tradesPerSecond: {
      average: 100 / 105,
      buckets: STARTS.map((start, i) => ({
        start,
        trades: totals[i] ?? 0,
        perSecond: perSecond(totals[i] ?? 0),
      })),
      bySymbol: SYMBOLS.map((symbol) => ({ symbol, perSecond: (TRADES[symbol] ?? []).map(perSecond) })),
    },
    dataLoss: {
      lossWindows: 1,
      buckets: STARTS.map((start, i) => ({
        start,
        symbolsSeen: i === 1 ? 3 : 4,
        symbolsExpected: 4,
        symbolsMissing: i === 1 ? 1 : 0,
        dataLoss: i === 1,
        partial: i === 3,
        missing: i === 1 ? ['IC MARKETS:1'] : [],
      })),
    },
    volumeTrend: {
      symbol: 'AAPL',
      buckets: STARTS.map((start, i) => ({
        start,
        trades: TRADES.AAPL?.[i] ?? 0,
        volume: 120 * (TRADES.AAPL?.[i] ?? 0),
      })),
    },
    latency: [
      stats('trade_to_db', 250),
      stats('trade_to_kafka', 200),
      stats('kafka_to_consumer', 5),
      stats('consumer_to_db', 45),
      stats('kafka_to_db', 50),
    ],
    // AAPL again; the second bucket predates sql/016 with its trades gone: open/close unknown
    candles: {
      symbol: 'AAPL',
      bucketS: 30,
      buckets: STARTS.map((start, i) => {
        const n = TRADES.AAPL?.[i] ?? 0
        const open = 171.4 + i / 10
        return {
          start,
          open: i === 1 ? null : open,
          high: open + 0.3,
          low: open - 0.2,
          close: i === 1 ? null : open + (i === 2 ? -0.1 : 0.1),
          volume: 120 * n,
          trades: n,
          vwap: i === 1 ? null : open + 0.05,
        }
      }),
    },
    latencyTrend: {
      start: STARTS,
      stages: [
        {
          stage: 'trade_to_db',
          p50Ms: [190, 210, 205, 200],
          p95Ms: [450, 500, 470, 480],
          p99Ms: [880, 950, 12_000, 900],
        },
        { stage: 'kafka_to_consumer', p50Ms: [2, 3, 2, 2], p95Ms: [5, 6, 5, 5], p99Ms: [9, 12, 8, null] },
      ],
    },
  }
}

export const LAG: LagPoint[] = [
  { at: T0 + 10 * S, lag: 0 },
  { at: T0 + 40 * S, lag: 120 },
  { at: T0 + 70 * S, lag: 35 },
]

export function makeSnapshot(kpis: Partial<KpiSnapshot> = {}, lag: LagPoint[] = LAG): WindowSnapshot {
  return {
    watch: { window: { preset: '5m' } },
    at: T0 + 105 * S,
    kpis: { ...makeKpis(), ...kpis },
    lag,
    run: { startedAt: T0 - 600 * S, stoppedAt: null },
  }
}

/** A window in which nothing happened. */
export function emptySnapshot(): WindowSnapshot {
  return makeSnapshot(
    {
      totalTrades: 0,
      symbols: [],
      tradesPerSecond: { average: 0, buckets: [], bySymbol: [] },
      dataLoss: { lossWindows: 0, buckets: [] },
      volumeTrend: { symbol: null, buckets: [] },
      latencyTrend: { start: [], stages: [] },
      candles: { symbol: null, bucketS: 1, buckets: [] },
    },
    [],
  )
}

export function makeContext(overrides: Partial<ChartContext> = {}): ChartContext {
  return {
    timeZone: 'utc',
    locale: 'en-US',
    theme: 'light',
    colorOf: colorFor(SYMBOLS),
    symbols: SYMBOLS,
    symbolsSubscribed: 4,
    priceScale: 'linear',
    latencyStage: 'trade_to_db',
    ...overrides,
  }
}

/** A tooltip's HTML as lines of plain text, spaces normalised, for assertions. */
export function tooltipText(html: unknown): string[] {
  return String(html)
    .split(/<\/div>/)
    .map((line) =>
      line
        .replace(/<[^>]*>/g, '')
        .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
        .replace(/[\u202f\u00a0]/g, ' ')
        .trim(),
    )
    .filter((line) => line.length > 0)
}
