import { describe, expect, it } from 'vitest'
import type { DataLossBucket, KpiSnapshot } from '../../shared/kpi'
import type { PipelineStatus } from '../../shared/status'
import { DEFAULT_THRESHOLDS } from '../../shared/thresholds'
import { DropWindow, evaluateAlerts, type AlertInput } from './rules'

const NOW = Date.UTC(2025, 0, 6, 14, 0, 0)
const START = NOW - 600_000 // the run began 10 min ago

function snapshot(over: Partial<KpiSnapshot> = {}): KpiSnapshot {
  return {
    from: NOW - 300_000,
    to: NOW,
    rateIntervalS: 1,
    bucketS: 1,
    dataLossWindowS: 30,
    symbolsSubscribed: 2,
    totalTrades: 0,
    rejects: 0,
    symbols: [],
    tradesPerSecond: { average: 0, buckets: [], bySymbol: [] },
    dataLoss: { lossWindows: 0, buckets: [] },
    volumeTrend: { symbol: null, buckets: [] },
    latency: [],
    latencyTrend: { start: [], stages: [] },
    candles: { symbol: null, bucketS: 1, buckets: [] },
    ...over,
  }
}

function status(over: Partial<PipelineStatus> = {}): PipelineStatus {
  return {
    state: 'running',
    detail: null,
    source: { kind: 'finnhub', state: 'open', detail: null, reconnects: 0 },
    symbols: [],
    counters: {
      received: 0,
      produced: 0,
      dropped: 0,
      buffered: 0,
      consumed: 0,
      written: 0,
      duplicates: 0,
      rejected: 0,
    },
    rates: { received: 0, written: 0 },
    lag: 0,
    backlog: null,
    feedErrors: [],
    consumer: { state: 'running', lastBatchAt: null, lastError: null, restarts: 0 },
    kafka: { bootstrap: '127.0.0.1:9092', managed: true, topic: 't', state: 'ready', detail: null },
    postgres: { target: 'pg', embedded: true },
    storage: null,
    at: NOW,
    ...over,
  }
}

function input(over: Partial<AlertInput> = {}): AlertInput {
  return {
    now: NOW,
    running: true,
    runStartedAt: START,
    status: status(),
    thresholds: { ...DEFAULT_THRESHOLDS },
    recent: snapshot(),
    rejectsLastMinute: 0,
    droppedLastMinute: 0,
    ...over,
  }
}

const rules = (i: AlertInput): string[] =>
  evaluateAlerts(i).map((c) => (c.subject ? `${c.rule}:${c.subject}` : c.rule))

function lossBucket(start: number, seen: number, missing: string[], partial = false): DataLossBucket {
  return {
    start,
    symbolsSeen: seen,
    symbolsExpected: 4,
    symbolsMissing: 4 - seen,
    dataLoss: seen < 4,
    partial,
    missing,
  }
}

describe('evaluateAlerts', () => {
  it('raises nothing while the pipeline is not running, whatever holds', () => {
    const bad = input({ droppedLastMinute: 5, rejectsLastMinute: 99 })
    expect(rules(bad)).toEqual(['rejects', 'drops'])
    expect(evaluateAlerts({ ...bad, running: false })).toEqual([])
  })

  describe('data_loss', () => {
    const t = NOW - 60_000 // 13:59:00, a 30 s boundary
    it('reads the latest complete bucket and names the missing symbols', () => {
      const recent = snapshot({
        dataLoss: {
          lossWindows: 1,
          buckets: [
            lossBucket(t - 30_000, 4, []),
            lossBucket(t, 2, ['AMZN', 'IC MARKETS:1']),
            lossBucket(t + 30_000, 1, [], true),
          ],
        },
      })
      expect(evaluateAlerts(input({ recent }))).toEqual([
        {
          rule: 'data_loss',
          level: 'warn',
          message:
            'Data loss: 2 of 4 symbols in the 30 s window from 13:59:00 UTC; missing: AMZN, IC MARKETS:1',
        },
      ])
    })

    it('stays quiet when the latest complete bucket saw every symbol, or only a partial one lost', () => {
      const buckets = [
        lossBucket(t - 30_000, 1, ['AMZN']),
        lossBucket(t, 4, []),
        lossBucket(t + 30_000, 0, [], true),
      ]
      expect(rules(input({ recent: snapshot({ dataLoss: { lossWindows: 1, buckets } }) }))).toEqual([])
    })

    it('ignores a bucket still open when read: not cut by the range, but ending at its `to`', () => {
      const buckets = [lossBucket(NOW - 60_000, 4, []), lossBucket(NOW - 30_000, 1, ['AAPL'])]
      const recent = snapshot({ dataLoss: { lossWindows: 1, buckets } })
      expect(rules(input({ recent }))).toEqual([])
      expect(rules(input({ recent: { ...recent, to: NOW + 1000 } }))).toEqual(['data_loss'])
    })

    it('ignores a bucket that began before the run started, or that the range cut', () => {
      const buckets = [lossBucket(t, 0, ['AAPL'])]
      const recent = snapshot({ dataLoss: { lossWindows: 1, buckets } })
      expect(rules(input({ recent, runStartedAt: t + 1 }))).toEqual([])
      expect(rules(input({ recent, runStartedAt: t }))).toEqual(['data_loss'])
      const cut = snapshot({ dataLoss: { lossWindows: 0, buckets: [{ ...buckets[0]!, partial: true }] } })
      expect(rules(input({ recent: cut, runStartedAt: null }))).toEqual([])
    })
  })

  describe('silent_symbol', () => {
    // 1 s buckets: AAPL last traded in the bucket [NOW-31 s, NOW-30 s), so it was last seen 30 s ago.
    const starts = [NOW - 32_000, NOW - 31_000, NOW - 30_000]
    const recent = snapshot({
      tradesPerSecond: {
        average: 1,
        buckets: starts.map((start) => ({ start, trades: 1, perSecond: 1 })),
        bySymbol: [{ symbol: 'AAPL', perSecond: [2, 1, 0] }],
      },
    })
    const st = status({ symbols: ['AAPL'] })

    it('raises once the silence is longer than the data-loss window, not at it', () => {
      expect(rules(input({ recent, status: st }))).toEqual([])
      expect(evaluateAlerts(input({ recent, status: st, now: NOW + 1000 }))).toEqual([
        {
          rule: 'silent_symbol',
          subject: 'AAPL',
          level: 'warn',
          message: 'AAPL: no trades for 31 s (window 30 s)',
        },
      ])
    })

    it('counts a symbol absent from the snapshot as silent only after the run outlived the window', () => {
      const two = status({ symbols: ['AAPL', 'AMZN'] })
      expect(rules(input({ recent, status: two, runStartedAt: NOW - 30_000 }))).toEqual([])
      expect(evaluateAlerts(input({ recent, status: two, runStartedAt: NOW - 31_000 }))).toEqual([
        {
          rule: 'silent_symbol',
          subject: 'AMZN',
          level: 'warn',
          message: 'AMZN: no trades for 31 s (window 30 s)',
        },
      ])
      // A run older than the snapshot: the silence is at least the snapshot's length.
      expect(evaluateAlerts(input({ recent, status: two, now: NOW }))[0]?.message).toBe(
        'AMZN: no trades for over 300 s (window 30 s)',
      )
    })

    it('does not hold a trade from before this run against it', () => {
      expect(rules(input({ recent, status: st, now: NOW + 5000, runStartedAt: NOW - 10_000 }))).toEqual([])
    })
  })

  describe('latency', () => {
    const trend = (p95: (number | null)[], start: number[]): KpiSnapshot['latencyTrend'] => ({
      start,
      stages: [
        {
          stage: 'trade_to_kafka',
          p50Ms: p95.map(() => 1),
          p95Ms: p95.map(() => 99_999),
          p99Ms: p95.map(() => 1),
        },
        { stage: 'trade_to_db', p50Ms: p95.map(() => 1), p95Ms: p95, p99Ms: p95.map(() => 1) },
      ],
    })

    it('takes the highest trade_to_db p95 of the last minute, above the limit only', () => {
      const latencyTrend = trend(
        [9000, 5000, null, 5001],
        [NOW - 61_000, NOW - 60_000, NOW - 30_000, NOW - 1000],
      )
      expect(evaluateAlerts(input({ recent: snapshot({ latencyTrend }) }))).toEqual([
        {
          rule: 'latency',
          level: 'warn',
          message: 'Latency: p95 from trade to database is 5001 ms over the last minute (limit 5000 ms)',
        },
      ])
    })

    it('does not raise at the limit, nor for an older bucket', () => {
      const latencyTrend = trend([9000, 5000], [NOW - 61_000, NOW - 60_000])
      expect(rules(input({ recent: snapshot({ latencyTrend }) }))).toEqual([])
    })
  })

  describe('rejects', () => {
    it('raises at the limit, not below it, and not when unknown', () => {
      const thresholds = { ...DEFAULT_THRESHOLDS, rejects_alert_per_min: 3 }
      expect(rules(input({ thresholds, rejectsLastMinute: 2 }))).toEqual([])
      expect(rules(input({ thresholds, rejectsLastMinute: null }))).toEqual([])
      expect(evaluateAlerts(input({ thresholds, rejectsLastMinute: 3 }))[0]).toMatchObject({
        rule: 'rejects',
        level: 'warn',
        message: expect.stringContaining('Rejected 3 frames or records in the last minute (limit 3)'),
      })
    })
  })

  describe('drops', () => {
    it('raises an error for any drop in the last minute', () => {
      expect(rules(input({ droppedLastMinute: 0 }))).toEqual([])
      expect(evaluateAlerts(input({ droppedLastMinute: 1 }))).toEqual([
        {
          rule: 'drops',
          level: 'error',
          message: 'Dropped 1 trades in the last minute: Kafka is not keeping up and the buffer is full',
        },
      ])
    })
  })

  describe('feed', () => {
    const src = (state: string, detail: string | null = null): PipelineStatus['source'] => ({
      kind: 'finnhub',
      state,
      detail,
      reconnects: 2,
    })
    it('raises while the source is not open, done or idle', () => {
      for (const state of ['reconnecting', 'closed', 'failed', 'connecting']) {
        expect(rules(input({ status: status({ source: src(state) }) }))).toEqual(['feed'])
      }
      expect(
        evaluateAlerts(input({ status: status({ source: src('reconnecting', 'HTTP 502; retry in 4 s') }) })),
      ).toEqual([
        {
          rule: 'feed',
          level: 'error',
          message: 'Feed disconnected: HTTP 502; retry in 4 s (2 reconnects so far)',
        },
      ])
    })
    it('stays quiet while open, done, idle or without a source', () => {
      for (const state of ['open', 'done', 'idle']) {
        expect(rules(input({ status: status({ source: src(state) }) }))).toEqual([])
      }
      expect(rules(input({ status: status({ source: null }) }))).toEqual([])
    })
  })
})

describe('the Kafka backlog rule', () => {
  const MiB = 1024 ** 2
  const backlog = (partitionLag: number, over: Partial<PipelineStatus['backlog']> = {}): AlertInput =>
    input({
      status: status({ backlog: { partitionLag, recordBytes: 128, retentionBytes: 64 * MiB, ...over } }),
    })
  const found = (i: AlertInput) => evaluateAlerts(i).filter((c) => c.rule === 'kafka_backlog')

  it('is quiet below half of what a partition keeps', () => {
    // 262,143 records of 128 bytes: just under 32 MiB of a 64 MiB partition
    expect(found(backlog(262_143))).toEqual([])
    expect(found(backlog(0))).toEqual([])
  })

  it('warns from half, naming the records, the bytes and the limit; an error from 80 %', () => {
    expect(found(backlog(262_144))).toEqual([
      {
        rule: 'kafka_backlog',
        level: 'warn',
        message:
          'Kafka backlog: the writer is 262144 records (~33.6 MB) behind on a partition, 50 % of the ' +
          '67.1 MB it keeps (retention.bytes); beyond that Kafka deletes records not yet written',
      },
    ])
    expect(found(backlog(420_000))[0]).toMatchObject({
      level: 'error',
      message: expect.stringContaining('80 %'),
    })
  })

  it('says nothing when a size is unknown or the topic is unlimited', () => {
    expect(found(backlog(10_000_000, { recordBytes: null }))).toEqual([])
    expect(found(backlog(10_000_000, { retentionBytes: null }))).toEqual([])
    expect(found(input({ status: status({ backlog: null }) }))).toEqual([])
  })

  it('clears with the rest when the pipeline stops', () => {
    expect(found({ ...backlog(10_000_000), running: false })).toEqual([])
  })
})

describe('DropWindow', () => {
  it('counts the drops of the last minute from cumulative samples', () => {
    const w = new DropWindow()
    w.add(0, 0)
    w.add(1_000, 5)
    w.add(30_000, 7)
    expect(w.lastWindow(30_000)).toBe(7)
    // At 61 s the baseline is the 1 s sample (5): only the 2 drops after it remain.
    expect(w.add(61_000, 7)).toBe(2)
    expect(w.add(91_000, 7)).toBe(0)
  })

  it('counts drops already in the first sample, and restarts when the counter goes down', () => {
    const w = new DropWindow()
    w.add(0, 4)
    expect(w.lastWindow(59_000)).toBe(4)
    expect(w.lastWindow(60_000)).toBe(0)
    w.add(70_000, 9)
    w.add(80_000, 3) // a new run
    expect(w.lastWindow(80_000)).toBe(3)
    w.reset()
    expect(w.lastWindow(80_000)).toBe(0)
  })
})
