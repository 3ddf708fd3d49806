import { describe, expect, it } from 'vitest'
import { KPI_CSV_VIEWS } from '../../shared/contract'
import type { KpiSnapshot } from '../../shared/kpi'
import { csvText } from './csv-writer'
import { kpiTable } from './kpi-csv'

const T = Date.UTC(2024, 0, 2, 10, 0, 0)
const iso = (ms: number): string => new Date(ms).toISOString()

const snap = {
  from: T,
  to: T + 2000,
  rateIntervalS: 1,
  bucketS: 1,
  dataLossWindowS: 30,
  symbolsSubscribed: 2,
  totalTrades: 3,
  rejects: 0,
  symbols: [
    {
      symbol: 'AAPL',
      trades: 2,
      avgVolume: 15,
      totalVolume: 30,
      avgPrice: 171,
      minPrice: 170,
      maxPrice: 172,
      priceRange: 2,
    },
  ],
  tradesPerSecond: {
    average: 1.5,
    buckets: [
      { start: T, trades: 2, perSecond: 2 },
      { start: T + 1000, trades: 1, perSecond: 1 },
    ],
    bySymbol: [{ symbol: '=EVIL', perSecond: [2, 1] }],
  },
  dataLoss: {
    lossWindows: 1,
    buckets: [
      {
        start: T,
        symbolsSeen: 1,
        symbolsExpected: 3,
        symbolsMissing: 2,
        dataLoss: true,
        partial: true,
        missing: ['AMZN', 'IC MARKETS:1'],
      },
    ],
  },
  volumeTrend: { symbol: 'AAPL', buckets: [{ start: T, volume: 30, trades: 2 }] },
  latency: [
    { stage: 'trade_to_db', samples: 3, avgMs: 12, p50Ms: 10, p95Ms: 20, p99Ms: 20, maxMs: 21 },
    { stage: 'trade_to_kafka', samples: 0, avgMs: null, p50Ms: null, p95Ms: null, p99Ms: null, maxMs: null },
  ],
  latencyTrend: {
    start: [T],
    stages: [{ stage: 'trade_to_db', p50Ms: [10], p95Ms: [20], p99Ms: [null] }],
  },
} as KpiSnapshot

describe('KPI view tables', () => {
  it('has a header and rows for every view', () => {
    for (const view of KPI_CSV_VIEWS) {
      const [header, ...rows] = kpiTable(view, snap)
      expect(header!.length, view).toBeGreaterThan(2)
      expect(rows.length, view).toBeGreaterThan(0)
      for (const r of rows) expect(r, view).toHaveLength(header!.length)
    }
  })

  it('lists the per-symbol KPIs 1, 3, 4 and 6', () => {
    expect(kpiTable('symbols', snap)).toEqual([
      [
        'symbol',
        'trades',
        'avg_volume',
        'total_volume',
        'avg_price',
        'min_price',
        'max_price',
        'price_range',
      ],
      ['AAPL', 2, 15, 30, 171, 170, 172, 2],
    ])
  })

  it('puts trades per second wide, with a header no symbol can turn into a formula', () => {
    const table = kpiTable('trades-per-second', snap)
    expect(table[0]).toEqual(['bucket_start', 'trades', 'per_second', 'per_second =EVIL'])
    expect(table[2]).toEqual([iso(T + 1000), 1, 1, 1])
  })

  it('names the missing symbols of each data-loss window', () => {
    expect(kpiTable('data-loss', snap)[1]).toEqual([iso(T), 1, 3, 2, true, true, 'AMZN;IC MARKETS:1'])
    expect(csvText(kpiTable('data-loss', snap).slice(1))).toBe(
      `${iso(T)},1,3,2,true,true,AMZN;IC MARKETS:1\r\n`,
    )
  })

  it('writes the data-loss summary of a window over a day, one row per bucket', () => {
    const bucket = { start: T, windows: 120, idleWindows: 20, shortWindows: 3, missing: ['A', 'B'] }
    const long = {
      ...snap,
      dataLoss: { lossWindows: 3, buckets: [], summary: { bucketS: 3600, buckets: [bucket] } },
    }
    expect(kpiTable('data-loss', long)).toEqual([
      ['bucket_start', 'windows', 'idle_windows', 'short_windows', 'missing'],
      [iso(T), 120, 20, 3, 'A;B'],
    ])
  })

  it('writes latency stats with empty cells for stages without samples, and the trend long', () => {
    expect(csvText(kpiTable('latency', snap).slice(2))).toBe('trade_to_kafka,0,,,,,\r\n')
    expect(kpiTable('latency-trend', snap)).toEqual([
      ['bucket_start', 'stage', 'p50_ms', 'p95_ms', 'p99_ms'],
      [iso(T), 'trade_to_db', 10, 20, null],
    ])
    expect(kpiTable('volume-trend', snap)[1]).toEqual([iso(T), 'AAPL', 30, 2])
  })
})
