import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TradeRow } from '../src/main/pipeline/record-codec'
import { writeBatch } from '../src/main/pipeline/consumer/writer'
import type { Database } from '../src/main/postgres/database'
import { runRetention } from '../src/main/postgres/retention'
import { MINUTE_ROLLUP_DAYS } from '../src/main/postgres/rollup-retention'
import { DAY_MS, dayOf } from '../src/main/postgres/trade-days'
import { openTestDatabase } from './setup/test-database'

// Issue 13: rollups outlive the raw trades, each by its own rule. The 1 s rollups go with the raw
// days; the minute rollups stay MINUTE_ROLLUP_DAYS, so a dropped day's KPIs still show.

const NOW = Date.now()
const TODAY = dayOf(NOW)
const AGES = [MINUTE_ROLLUP_DAYS + 5, MINUTE_ROLLUP_DAYS - 5, 35, 10, 0]

/** Five trades, a second apart, at 01:00 UTC of the day `age` days back (before now). */
const tradesOf = (age: number): TradeRow[] =>
  Array.from({ length: 5 }, (_, i) => {
    const tradedAt = Math.min(NOW - 10_000, (TODAY - age) * DAY_MS + 3_600_000) + i * 1000
    return {
      tradeId: `rr.${age}.${i}`,
      recordStamp: tradedAt + 5,
      symbol: 'AAPL',
      price: 100 + i,
      volume: 1,
      conditions: null,
      tradedAt,
      receivedAt: tradedAt + 5,
      consumedAt: tradedAt + 9,
      topic: 'trades',
      partition: 0,
      offset: String(i),
    }
  })

describe('rollup retention', () => {
  let db: Database
  beforeAll(async () => {
    db = await openTestDatabase()
  })
  afterAll(async () => {
    await db?.close()
  })

  /** Rows per table per age in days. */
  const ages = async (): Promise<Record<string, number[]>> => {
    const out: Record<string, number[]> = {}
    for (const [table, col] of [
      ['trades_1s', 'second'],
      ['latency_1s', 'second'],
      ['trades_1m', 'minute'],
      ['latency_1m', 'minute'],
    ]) {
      const { rows } = await db.pool.query<{ day: number }>(
        `SELECT DISTINCT (${col} AT TIME ZONE 'UTC')::date - date '1970-01-01' AS day FROM ${table} ORDER BY 1`,
      )
      out[table!] = rows.map((r) => TODAY - r.day)
    }
    return out
  }

  it('removes 1 s rollups with the raw days, and minute rollups only past their age', async () => {
    await writeBatch(db.pool, AGES.flatMap(tradesOf), [])
    const all = await ages()
    expect(all['trades_1s']).toEqual(AGES)
    expect(all['trades_1m']).toEqual(AGES)

    const r = await runRetention({
      pool: db.pool,
      policy: { retentionDays: 30, budgetBytes: null },
      ownedPaths: [],
      nowMs: NOW,
    })
    expect(r.dropped.map((d) => TODAY - d.day)).toEqual(AGES.filter((a) => a > 30))
    const left = await ages()
    expect(left).toEqual({
      trades_1s: [10, 0],
      latency_1s: [10, 0],
      trades_1m: AGES.filter((a) => a < MINUTE_ROLLUP_DAYS),
      latency_1m: AGES.filter((a) => a < MINUTE_ROLLUP_DAYS),
    })
    expect(r.rollupsPruned?.map((p) => [p.table, p.rows])).toEqual([
      ['trades_1s', 15],
      ['latency_1s', 15],
      ['trades_1m', 1],
      ['latency_1m', 1],
    ])
    // Again: nothing more to remove.
    const again = await runRetention({
      pool: db.pool,
      policy: { retentionDays: 30, budgetBytes: null },
      ownedPaths: [],
      nowMs: NOW,
    })
    expect(again.rollupsPruned).toEqual([])
  })
})
