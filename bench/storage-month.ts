// The storage phase (issue 13): what a trade costs on disk, and what removing a day costs, on a
// simulated month. Keys: storage.bytes_per_trade, storage.drop_day_ms, storage.writer_stall_ms.
import type pg from 'pg'
import type { TradeRow } from '../src/main/pipeline/record-codec'
import { writeBatch } from '../src/main/pipeline/consumer/writer'
import { compactFinishedDays } from '../src/main/postgres/day-compaction'
import { dropTradeDay } from '../src/main/postgres/retention'
import { DAY_MS, dayOf, dayText } from '../src/main/postgres/trade-days'
import { fmt, log } from './log'
import type { BenchServices } from './services'
import { writeRealisticTrades } from '../dev/realistic-trades'
import { measureTrades, type StorageResult } from './storage'

export interface StorageMonthResult {
  /** 1M realistic trades through the writer at the Demo rate (40 trades/s), everything counted */
  demo: StorageResult
  /** the same at a live rate (400 trades/s): as written, and once the finished days are packed */
  live: StorageResult
  livePacked: StorageResult
  month: { days: number; trades: number; bytes: number; fillSeconds: number }
  /** detach + drop of the oldest day of the month, median of `drops` */
  dropDayMs: number
  drops: number[]
  /** the writer's longest batch while days are dropped, at 2,000 trades/s; and before, for scale */
  writerStallMs: number
  writerBaselineMs: number
}

const MONTH_DAYS = 30
const LOAD_PER_S = 2_000
const TICK_MS = 50

/**
 * 30 past days of trades, `perDay` each, written in SQL straight into each day's partition: a
 * month through the writer would take most of an hour. The rows are Demo-like (four symbols,
 * conditions on the stocks) but bypass the parent's rollup triggers, which this phase does not read.
 */
async function fillMonth(pool: pg.Pool, perDay: number, today: number): Promise<void> {
  const days = Array.from({ length: MONTH_DAYS }, (_, i) => today - MONTH_DAYS + i)
  await pool.query(`SELECT trades_add_days($1::date[])`, [days.map(dayText)])
  for (const [i, day] of days.entries()) {
    const step = DAY_MS / perDay
    await pool.query(
      `INSERT INTO trades_${dayText(day).replaceAll('-', '')}
         (traded_at, received_at, consumed_at, written_at, price, volume, trade_key, kafka_partition, symbol, kafka_topic, conditions)
       SELECT ts, ts + interval '4 ms', ts + interval '9 ms', ts + interval '15 ms', 100 + (i % 5000) / 100.0,
              i % 500, trade_key('month/' || $1 || '/' || i), i % 3, sym, 'bench-month',
              CASE WHEN sym IN ('AAPL', 'AMZN') THEN '1 12' ELSE '' END
       FROM generate_series(0, $2::int - 1) AS i,
            LATERAL (SELECT timestamptz 'epoch' + ($3::bigint + floor(i * $4::float8)::bigint) * interval '1 ms' AS ts,
                            (ARRAY['BINANCE:BTCUSDT','BINANCE:BTCUSDT','BINANCE:BTCUSDT','AAPL','AMZN'])[1 + i % 5] AS sym) AS x`,
      [day, perDay, day * DAY_MS, step],
    )
    log(`storage: month day ${i + 1}/${MONTH_DAYS} (${dayText(day)}) filled`)
  }
  await pool.query('VACUUM (ANALYZE) trades')
}

/** Writes LOAD_PER_S trades of today through writeBatch until stopped; returns each batch's ms. */
function steadyWriter(pool: pg.Pool): { stop(): Promise<number[]> } {
  const times: number[] = []
  let running = true
  let n = 0
  const per = (LOAD_PER_S * TICK_MS) / 1000
  const loop = (async () => {
    while (running) {
      const t0 = performance.now()
      const now = Date.now()
      const rows: TradeRow[] = Array.from({ length: per }, (_, i) => ({
        tradeId: `load.${n}.${i}`,
        recordStamp: now,
        symbol: 'AAPL',
        price: 171 + (i % 100) / 100,
        volume: 1,
        conditions: null,
        tradedAt: now - 20,
        receivedAt: now - 10,
        consumedAt: now,
        topic: 'load',
        partition: n % 3,
        offset: String(n),
      }))
      n++
      await writeBatch(pool, rows, [])
      const ms = performance.now() - t0
      times.push(ms)
      await new Promise((r) => setTimeout(r, Math.max(0, TICK_MS - ms)))
    }
  })()
  return {
    async stop() {
      running = false
      await loop
      return times
    },
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const round1 = (x: number): number => Math.round(x * 10) / 10

export async function runStorageMonth(s: BenchServices, perDay = 1_000_000): Promise<StorageMonthResult> {
  const measured = async (phase: string, rate: number): Promise<[StorageResult, StorageResult]> => {
    const db = await s.openSchema(phase)
    try {
      await writeRealisticTrades(db.pool, { trades: 1_000_000, rate })
      const raw = await measureTrades(db.pool)
      // Every day written is past for the packing: as a day looks the morning after.
      await compactFinishedDays(db.pool, Date.UTC(2100, 0, 1))
      const packed = await measureTrades(db.pool)
      log(
        `storage: ${rate} trades/s: ${raw.bytes_per_trade} bytes/trade as written, ${packed.bytes_per_trade} packed`,
      )
      return [raw, packed]
    } finally {
      await db.pool.query(`DROP SCHEMA IF EXISTS "${db.schema}" CASCADE`).catch(() => undefined)
    }
  }
  const [demo] = await measured('storage_demo', 40)
  const [live, livePacked] = await measured('storage_live', 400)

  const db = await s.openSchema('storage_month')
  try {
    const today = dayOf(Date.now())
    const t0 = performance.now()
    await fillMonth(db.pool, perDay, today)
    const fillSeconds = (performance.now() - t0) / 1000
    const month = await measureTrades(db.pool)
    log(
      `storage: a month of ${fmt(month.trades)} trades in ${fmt(fillSeconds, 0)} s, ${fmt(month.bytes / 1e9, 2)} GB`,
    )

    const baseline = steadyWriter(db.pool)
    await new Promise((r) => setTimeout(r, 3_000))
    const before = await baseline.stop()
    const writer = steadyWriter(db.pool)
    const drops: number[] = []
    await new Promise((r) => setTimeout(r, 1_000))
    for (let i = 0; i < 5; i++) {
      const d0 = performance.now()
      const r = await dropTradeDay(db.pool, today - MONTH_DAYS + i, 5_000)
      if (r !== 'dropped') throw new Error(`storage: dropping day ${i} gave ${r}`)
      drops.push(performance.now() - d0)
      await new Promise((r) => setTimeout(r, 500))
    }
    const during = await writer.stop()
    const res: StorageMonthResult = {
      demo,
      live,
      livePacked,
      month: { days: MONTH_DAYS, trades: month.trades, bytes: month.bytes, fillSeconds: round1(fillSeconds) },
      dropDayMs: round1(median(drops)),
      drops: drops.map(round1),
      writerStallMs: round1(Math.max(...during)),
      writerBaselineMs: round1(Math.max(...before)),
    }
    log(
      `storage: drop of a day ${res.dropDayMs} ms (median of ${drops.length}); writer's longest batch ` +
        `${res.writerStallMs} ms while dropping, ${res.writerBaselineMs} ms before`,
    )
    return res
  } finally {
    await db.pool.query(`DROP SCHEMA IF EXISTS "${db.schema}" CASCADE`).catch(() => undefined)
  }
}
