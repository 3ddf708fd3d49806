import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDatabase } from '../../../test/setup/test-database'
import { NO_MISMATCHES, rollupMismatches } from '../../../test/helpers/rollup-checks'
import { expectSameKpis, rawSnapshot } from '../../../test/helpers/snapshot-compare'
import {
  LATENCY_RELATIVE_ERROR_HOURS,
  type DataLossBucket,
  type DataLossSummaryBucket,
  type KpiSnapshot,
} from '../../shared/kpi'
import { bucketSecondsFor } from '../../shared/windows'
import type { Database } from '../postgres/database'
import { setThreshold } from '../postgres/thresholds'
import { kpiSnapshot } from './snapshot'

const H = 3_600_000
const TS = Date.UTC(2024, 0, 3, 0, 0, 0)
const ms = (i: number): string => `timestamptz 'epoch' + ${i}::bigint * interval '1 ms'`
// NEVER never trades; S5 only in hours 30 and 31; FX every 37 s until hour 40, so with 4 symbols
// subscribed some 30 s windows are short, and every window after hour 40.
const SYMBOLS = ['S0', 'S1', 'S2', 'FX', 'S5', 'NEVER']

/**
 * Trades of one symbol every `periodMs` over [fromH, toH) hours after TS, none in hours 20-23 (the
 * pipeline was off), with latencies from 1 ms to ~9 s, keyed so that a second insert is a no-op.
 */
const insert = (symbol: string, no: number, periodMs: number, fromH: number, toH: number): string => `
  INSERT INTO trades (symbol, price, volume, traded_at, received_at, consumed_at, written_at,
                      kafka_topic, kafka_partition, trade_key)
  SELECT '${symbol}', 50 + (h % 997) / 10.0, (h % 13) / 8.0, t, r, r + (h % 23) * interval '1 ms',
         r + (h % 23 + h % 41) * interval '1 ms', 'x', h % 3, i * 10 + ${no}
  FROM (SELECT i, h, t, t + floor(exp((h % 1000) / 110.0)) * interval '1 ms' AS r
        FROM (SELECT i, (i * 2654435761 + ${no}) % 4294967291 AS h,
                     ${ms(TS)} + (${fromH * H} + i * ${periodMs} + ${no * 3001}) * interval '1 ms' AS t
              FROM generate_series(0, ${Math.floor(((toH - fromH) * H) / periodMs) - 1}) AS i) AS g) AS x
  WHERE t < ${ms(TS + toH * H)} AND NOT (t >= ${ms(TS + 20 * H)} AND t < ${ms(TS + 24 * H)})
  ON CONFLICT (traded_at, trade_key) DO NOTHING`

/** The data-loss summary as kpi_snapshot() should send it, from the raw snapshot's windows. */
function summarise(raw: KpiSnapshot, bucketMs: number): DataLossSummaryBucket[] {
  const out = new Map<number, DataLossSummaryBucket & { set: Set<string> }>()
  for (let b = Math.floor(raw.from / bucketMs) * bucketMs; b < raw.to; b += bucketMs)
    out.set(b, { start: b, windows: 0, idleWindows: 0, shortWindows: 0, missing: [], set: new Set() })
  raw.dataLoss.buckets
    .filter((w: DataLossBucket) => !w.partial)
    .forEach((w) => {
      const s = out.get(Math.floor(w.start / bucketMs) * bucketMs)!
      s.windows++
      if (w.symbolsSeen === 0) return void s.idleWindows++
      if (w.dataLoss) s.shortWindows++
      w.missing.forEach((m) => s.set.add(m))
    })
  return [...out.values()].map(({ set, ...s }) => ({ ...s, missing: [...set].sort() }))
}

describe('kpi_snapshot over days, from the hour rollups (sql/012)', () => {
  let db: Database
  beforeAll(async () => {
    db = await openTestDatabase()
    await setThreshold(db.pool, 'symbols_subscribed', 4)
    // Day 2 first, then day 1, then day 2 again: hours merge across inserts, late and redelivered.
    const inserts = [
      insert('S0', 0, 20_000, 24, 50),
      insert('S1', 1, 20_000, 0, 50),
      insert('FX', 3, 37_000, 0, 40),
      insert('S0', 0, 20_000, 0, 30),
      insert('S2', 2, 19_000, 0, 50),
      insert('S5', 5, 5_000, 30, 32),
      insert('S0', 0, 20_000, 24, 50), // a redelivery: no new rows
    ]
    for (const sql of inserts) await db.pool.query(sql)
  })
  afterAll(async () => {
    await db?.close()
  })

  it('keeps the hour rollups equal to an aggregate over raw trades', async () => {
    const { rows } = await db.pool.query<{ n: string; h: string }>(
      'SELECT (SELECT count(*) FROM trades) AS n, (SELECT count(*) FROM trades_1h) AS h',
    )
    expect(Number(rows[0]!.n)).toBeGreaterThan(25_000)
    expect(Number(rows[0]!.h)).toBeGreaterThan(150)
    expect(await rollupMismatches(db.pool)).toEqual(NO_MISMATCHES)
  })

  it('keeps each hour row’s longest stretch without a trade (max_gap) with the row', async () => {
    const { rows } = await db.pool.query<{ seconds: string; max_gap: number }>(
      'SELECT seconds::text AS seconds, max_gap FROM trades_1h',
    )
    const longestZeros = (bits: string): number => Math.max(0, ...bits.split(/1+/).map((z) => z.length))
    expect(rows.map((r) => r.max_gap)).toEqual(rows.map((r) => longestZeros(r.seconds)))
    // FX trades every 37 s: its full hours have gaps of 36 s; hours 20-23 have no rows at all
    expect(rows.some((r) => r.max_gap === 36)).toBe(true)
    const edge = await db.pool.query<{ g: number[] }>(
      `SELECT ARRAY[kpi_max_gap(B'1111'), kpi_max_gap(B'0000'), kpi_max_gap(B'1001000'), kpi_max_gap(B'0110')] AS g`,
    )
    expect(edge.rows[0]!.g).toEqual([0, 4, 3, 1])
  })

  it('marks each second that starts a stretch of w seconds with a trade (kpi_window_bits, sql/015)', async () => {
    // bit i: any of bits i .. i + w - 1 set, the bits past the end counting as zeros
    const windowBits = (bits: string, w: number): string =>
      [...bits].map((_, i) => (bits.slice(i, i + w).includes('1') ? '1' : '0')).join('')
    const { rows } = await db.pool.query<{ seconds: string; w30: string; w45: string; w300: string }>(
      `SELECT seconds::text AS seconds, kpi_window_bits(seconds, 30)::text AS w30,
              kpi_window_bits(seconds, 45)::text AS w45, kpi_window_bits(seconds, 300)::text AS w300
       FROM trades_1h`,
    )
    for (const r of rows) {
      expect(r.w30).toBe(windowBits(r.seconds, 30))
      expect(r.w45).toBe(windowBits(r.seconds, 45))
      expect(r.w300).toBe(windowBits(r.seconds, 300))
    }
    // a gap of 8 s, yet both 5 s windows have a trade: dense, which max_gap alone cannot tell
    const edge = await db.pool.query<{ b: string; starts: string }>(
      `SELECT kpi_window_bits(B'1000000001', 5)::text AS b, substring(kpi_window_starts(5)::text FOR 12) AS starts`,
    )
    expect(edge.rows[0]).toEqual({ b: '1000011111', starts: '100001000010' })
  })

  const WIDTHS = [30, 45, 7, 300]
  const WINDOWS: [string, number, number, number | undefined, number[]?][] = [
    ['ragged edges, hour buckets', TS + 1234, TS + 49 * H + 17 * 60_000 + 3500, undefined],
    ['whole hours, 2 h buckets', TS, TS + 48 * H, 7200],
    ['10 min buckets: minute rollups, still a summary', TS + 1_810_000, TS + 26 * H, 600],
    ['exactly a day (Last 24 hours), hour buckets', TS + 5 * H + 123, TS + 29 * H + 123, undefined],
    // more than 120 hour buckets: the trend and the summary take 2 h (sql/014)
    ['six days, hour buckets', TS - 96 * H + 1234, TS + 48 * H + 999, undefined, [30, 300]],
  ]
  // 30 s, 45 s and 300 s windows divide an hour (judged on its bits, sql/015), 7 s ones do not
  // (minute rollups).
  /** kpi_snapshot() over [from, to) with `win` s data-loss windows, against the raw reference. */
  async function expectAsRaw(win: number, from: number, to: number, bucket?: number): Promise<KpiSnapshot> {
    await setThreshold(db.pool, 'data_loss_window_s', win)
    const bucketS = bucket ?? bucketSecondsFor(to - from, 1)
    const req = { from, to, bucketS, symbols: SYMBOLS }
    const [a, raw] = [await kpiSnapshot(db.pool, req), await rawSnapshot(db, req)]
    expect(a.dataLoss.buckets).toEqual([])
    // at most 120 trend buckets, each a whole number of series buckets
    const windowS = (to - from) / 1000
    const trendS = bucketS * Math.max(1, Math.ceil(windowS / bucketS / 120))
    expect(a.latencyTrend.bucketS).toBe(trendS)
    const rawTrend = trendS === bucketS ? raw : await rawSnapshot(db, { ...req, bucketS: trendS })
    // summary buckets are whole hours, at least the series' width, at most 120 of them
    const summaryS = Math.ceil(Math.max(bucketS, 3600, windowS / 120) / 3600) * 3600
    const expected = summarise(raw, summaryS * 1000)
    expect(a.dataLoss.summary).toEqual({ bucketS: summaryS, buckets: expected })
    expect(a.dataLoss.lossWindows).toBe(expected.reduce((n, b) => n + b.shortWindows, 0))
    expectSameKpis(
      { ...a, dataLoss: raw.dataLoss },
      { ...raw, latencyTrend: rawTrend.latencyTrend },
      LATENCY_RELATIVE_ERROR_HOURS,
    )
    return a
  }

  it.each(
    WINDOWS.flatMap(([name, from, to, b, widths = WIDTHS]) =>
      widths.map((w) => [name, w, from, to, b] as const),
    ),
  )(
    '%s, %i s data-loss windows: as from raw trades, latency within the hour bound',
    async (_, win, from, to, bucket) => {
      const a = await expectAsRaw(win, from, to, bucket)
      // the data really has idle hours, and short windows where FX (every 37 s, until hour 40) misses
      if (win < 37 || to > TS + 40 * H) expect(a.dataLoss.lossWindows).toBeGreaterThan(0)
      const summary = a.dataLoss.summary!.buckets
      expect(summary.some((b) => b.idleWindows === b.windows && b.windows > 0)).toBe(true)
    },
  )

  // Last: it adds trades in hour 60, past every window above.
  it('reads the hour a window ends inside from its hour rows only while no trade in it is later (sql/015)', async () => {
    // trades in the first quarter of hour 60 only, the window ends at 60:40:03
    await db.pool.query(insert('S0', 0, 20_000, 60, 60.25))
    await db.pool.query(insert('S1', 1, 7_000, 60, 60.25))
    const [from, to] = [TS + 36 * H + 1234, TS + 60 * H + 40 * 60_000 + 3000]
    const before = await expectAsRaw(30, from, to)
    // a trade after the window's end, in the same hour: the hour row now holds more than the window
    await db.pool.query(insert('S2', 2, 600_000, 60.75, 61))
    const after = await expectAsRaw(30, from, to)
    expect(after.totalTrades).toBe(before.totalTrades)
    // 45 trades of S0 and 128 of S1 in hour 60, before the window’s end
    const { rows } = await db.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM trades WHERE traded_at >= ${ms(TS + 60 * H)} AND traded_at < ${ms(to)}`,
    )
    expect(Number(rows[0]!.n)).toBe(173)
  })
})
