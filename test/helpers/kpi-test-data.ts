import type pg from 'pg'
import { afterAll, beforeAll } from 'vitest'
import { openTestDatabase } from '../setup/test-database'
import type { Database } from '../../src/main/postgres/database'
import type { KpiSnapshot, LatencyStats } from '../../src/shared/kpi'

/*
 * A hand-made data set; the tests' expected numbers are worked out by hand from this table.
 * T0 is aligned to 30 s. The window [T0, T0+90 s) holds trades 1–9, so its data-loss windows are
 * [0,30): 4 symbols, [30,60): none at all, [60,90): AAPL and IC MARKETS:1. Trades 10 and 11 sit
 * just outside (to is exclusive, from inclusive). Latency per trade: traded → received = r,
 * received → consumed = 10 ms, consumed → written = w.
 */
export const T0 = Date.UTC(2024, 0, 2, 10, 0, 0)
export const BTC = 'BINANCE:BTCUSDT'
export const FX = 'IC MARKETS:1'
// [symbol, traded_at offset ms, price, volume, r, w]
const TRADES: [string, number, number, number, number, number][] = [
  ['AAPL', 0, 170, 10, 100, 5],
  ['AAPL', 500, 172, 30, 200, 5],
  ['AAPL', 1000, 171, 20, 300, 5],
  [BTC, 1200, 60000, 0, 400, 5],
  [BTC, 1700, 60010, 0.5, 500, 5],
  [FX, 29_999, 1.1, 0, 600, 5],
  ['AMZN', 15_000, 181, 5, 700, 5],
  ['AAPL', 60_000, 174, 40, 800, 5],
  [FX, 89_999, 1.2, 1, 900, 50],
  ['AAPL', 90_000, 999, 999, 1000, 5],
  ['AMZN', -1, 999, 999, 1000, 5],
]

export async function insertTrades(pool: pg.Pool): Promise<void> {
  const rows = TRADES.map(([symbol, dt, price, volume, r, w]) => {
    const t = T0 + dt
    return { symbol, price, volume, t, rcv: t + r, con: t + r + 10, wrt: t + r + 10 + w }
  })
  const ms = (col: string): string => `timestamptz 'epoch' + ${col} * interval '1 millisecond'`
  await pool.query(
    `INSERT INTO trades (symbol, price, volume, traded_at, received_at, consumed_at, written_at, kafka_topic, kafka_partition)
     SELECT s, p, v, ${ms('t')}, ${ms('rcv')}, ${ms('con')}, ${ms('wrt')}, 'kpi', 0
     FROM unnest($1::text[], $2::float8[], $3::float8[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[])
       AS x(s, p, v, t, rcv, con, wrt)`,
    (['symbol', 'price', 'volume', 't', 'rcv', 'con', 'wrt'] as const).map((k) => rows.map((row) => row[k])),
  )
}

export const stage = (s: KpiSnapshot | LatencyStats[], name: string): LatencyStats | undefined =>
  (Array.isArray(s) ? s : s.latency).find((l) => l.stage === name)

/** A fresh migrated schema holding the data set, opened and dropped around the calling describe block. */
export function withKpiData(): { db: Database } {
  const ctx = {} as { db: Database }
  beforeAll(async () => {
    ctx.db = await openTestDatabase()
    await insertTrades(ctx.db.pool)
  })
  afterAll(async () => {
    await ctx.db?.close()
  })
  return ctx
}
