import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { TradeRow } from '../src/main/pipeline/record-codec'
import { writeBatch } from '../src/main/pipeline/consumer/writer'
import { createPool, type Database } from '../src/main/postgres/database'
import { dropTradeDay, runRetention, tradeDaySizes } from '../src/main/postgres/retention'
import { DAY_MS, dayOf } from '../src/main/postgres/trade-days'
import { openTestDatabase } from './setup/test-database'

// Issue 13, "Retention under a budget", on a real PostgreSQL (embedded, or DATABASE_URL's): old day
// partitions go by DROP, today stays, the rollups of the dropped days stay, and a late trade of a
// dropped day is stored again in a partition made anew.

const NOW = Date.now()
const TODAY = dayOf(NOW)
const AGES = [40, 35, 31, 10, 2, 0] // days back from today

function row(i: number, tradedAt: number): TradeRow {
  return {
    tradeId: `ret.${i}.${tradedAt}`,
    recordStamp: tradedAt + 5,
    symbol: i % 2 ? 'AAPL' : 'MSFT',
    price: 100 + i,
    volume: 1 + (i % 3),
    conditions: null,
    tradedAt,
    receivedAt: tradedAt + 5,
    consumedAt: tradedAt + 9,
    topic: 'trades',
    partition: i % 3,
    offset: String(i),
  }
}

/** Ten trades at 01:00 UTC of the day `age` days back (before now even just after midnight). */
const tradesOf = (age: number): TradeRow[] =>
  Array.from({ length: 10 }, (_, i) => row(i, Math.min(NOW, (TODAY - age) * DAY_MS + 3_600_000 + i)))

describe('retention', () => {
  let db: Database
  let dir: string
  beforeAll(async () => {
    db = await openTestDatabase()
    dir = await mkdtemp(join(os.tmpdir(), 'tickflow-retention-'))
  })
  afterAll(async () => {
    await db?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  const rolledUp = async (): Promise<Record<number, number>> => {
    const { rows } = await db.pool.query<{ day: number; n: number }>(
      `SELECT (minute AT TIME ZONE 'UTC')::date - date '1970-01-01' AS day, sum(trades)::int AS n
       FROM trades_1m GROUP BY 1`,
    )
    return Object.fromEntries(rows.map((r) => [TODAY - r.day, r.n]))
  }
  const rawCounts = async (): Promise<Record<number, number>> => {
    const { rows } = await db.pool.query<{ day: number; n: number }>(
      `SELECT (traded_at AT TIME ZONE 'UTC')::date - date '1970-01-01' AS day, count(*)::int AS n
       FROM trades GROUP BY 1`,
    )
    return Object.fromEntries(rows.map((r) => [TODAY - r.day, r.n]))
  }
  const partitionAges = async (): Promise<number[]> =>
    (await tradeDaySizes(db.pool)).map((d) => TODAY - d.day).filter((a) => a >= 0)

  it('drops the days past the retention whole, keeps their rollups, and stores a late trade again', async () => {
    // One batch, so the only day made ahead of need is tomorrow (each batch makes its newest day's next).
    await writeBatch(db.pool, AGES.flatMap(tradesOf), [])
    const all = Object.fromEntries(AGES.map((a) => [a, 10]))
    expect(await rawCounts()).toEqual(all)
    expect(await rolledUp()).toEqual(all)

    const policy = { retentionDays: 30, budgetBytes: null }
    const r = await runRetention({ pool: db.pool, policy, ownedPaths: [] })
    expect(r.dropped.map((d) => [TODAY - d.day, d.reason])).toEqual([
      [40, 'age'],
      [35, 'age'],
      [31, 'age'],
    ])
    expect(await partitionAges()).toEqual([10, 2, 0])
    expect(await rawCounts()).toEqual({ 10: 10, 2: 10, 0: 10 })
    // No trigger fired: the rollups still count every dropped day's trades.
    expect(await rolledUp()).toEqual(all)

    // A late or replayed trade of a dropped day: the writer forgot the day, makes it again, stores it.
    const late = row(77, (TODAY - 35) * DAY_MS + 7_200_000)
    expect(await writeBatch(db.pool, [late], [])).toMatchObject({ inserted: 1 })
    // (and its next day, ahead of need, as for any batch)
    expect(await partitionAges()).toEqual([35, 34, 10, 2, 0])
    expect((await rawCounts())[35]).toBe(1)
    // Rolled up on top of the day's kept KPIs, as any trade is.
    expect(await rolledUp()).toEqual({ ...all, 35: 11 })
  })

  it('drops the oldest days when the data dir is over its budget, and never today', async () => {
    // 1 MB of "Kafka log" in an owned dir, under a budget of 1 kB: every past day goes, today stays.
    await writeFile(join(dir, 'segment.log'), Buffer.alloc(1_000_000, 1))
    const r = await runRetention({
      pool: db.pool,
      policy: { retentionDays: 365, budgetBytes: 1000 },
      ownedPaths: [dir],
    })
    expect(r.usedBytes).toBeGreaterThanOrEqual(1_000_000)
    expect(r.dropped.map((d) => [TODAY - d.day, d.reason])).toEqual([
      [35, 'budget'],
      [34, 'budget'],
      [10, 'budget'],
      [2, 'budget'],
    ])
    expect(r.overBudgetBytes).toBeGreaterThan(0)
    expect(await partitionAges()).toEqual([0])
    expect(await rawCounts()).toEqual({ 0: 10 })
  })

  it('makes a dropped day again for a writer with a pool of its own, which retention cannot tell', async () => {
    // The writer runs in a worker thread (or another process) with its own pool: forgetTradeDays on
    // the retention's pool does not reach its memory of the days it made.
    const writer = createPool(inject('databaseUrl'), db.schema)
    try {
      const t = (TODAY - 3) * DAY_MS + 3_600_000
      expect(await writeBatch(writer, [row(500, t)], [])).toMatchObject({ inserted: 1 })
      const r = await runRetention({
        pool: db.pool,
        policy: { retentionDays: 1, budgetBytes: null },
        ownedPaths: [],
      })
      expect(r.dropped.map((d) => TODAY - d.day)).toContain(3)
      expect(await writeBatch(writer, [row(501, t + 1)], [])).toMatchObject({ inserted: 1 })
      // In its own day's partition again, not in the default one, where no retention could reach it.
      const { rows } = await db.pool.query<{ part: string }>(
        `SELECT tableoid::regclass::text AS part FROM trades WHERE traded_at = to_timestamp($1 / 1000.0)`,
        [t + 1],
      )
      expect(rows.map((x) => x.part)).toEqual([
        `trades_${new Date(t).toISOString().slice(0, 10).replaceAll('-', '')}`,
      ])
    } finally {
      await writer.end()
    }
  })

  it('drops what a crash left detached, at the next run', async () => {
    // A run that died between its two steps (sql/011) left a detached day behind.
    await writeBatch(db.pool, tradesOf(20), [])
    await db.pool.query(`SELECT trades_detach_day($1::date)`, [
      new Date((TODAY - 20) * DAY_MS).toISOString().slice(0, 10),
    ])
    const leftovers = async (): Promise<number> =>
      (
        await db.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = current_schema()::regnamespace
             AND relname LIKE 'trades\\_%\\_dropping'`,
        )
      ).rows[0]!.n
    expect(await leftovers()).toBe(1)
    await runRetention({ pool: db.pool, policy: { retentionDays: 365, budgetBytes: 1000 }, ownedPaths: [] })
    expect(await leftovers()).toBe(0)
  })

  it('refuses to drop today, in SQL as well', async () => {
    await expect(dropTradeDay(db.pool, TODAY)).rejects.toThrow(/past days only/)
    expect(await partitionAges()).toContain(0)
  })

  it('gives up on a day whose lock does not come, instead of queueing the writer behind it', async () => {
    await writeBatch(db.pool, tradesOf(5), [])
    const busy = await db.pool.connect()
    try {
      // A long read holds trades ACCESS SHARE; the DROP's ACCESS EXCLUSIVE would wait for it.
      await busy.query('BEGIN')
      await busy.query('SELECT count(*) FROM trades')
      expect(await dropTradeDay(db.pool, TODAY - 5)).toBe('busy')
      await busy.query('COMMIT')
    } finally {
      busy.release()
    }
    expect(await partitionAges()).toContain(5)
    // A read that ends while the drop asks again (after the first 100 ms wait) does not defer the day.
    const reader = await db.pool.connect()
    try {
      await reader.query('BEGIN')
      await reader.query('SELECT count(*) FROM trades')
      const drop = dropTradeDay(db.pool, TODAY - 5)
      await new Promise((r) => setTimeout(r, 250))
      await reader.query('COMMIT')
      expect(await drop).toBe('dropped')
    } finally {
      reader.release()
    }
    // Gone already: nothing to drop, and not mistaken for a busy table.
    expect(await dropTradeDay(db.pool, TODAY - 5)).toBe('absent')
    expect(await partitionAges()).not.toContain(5)
  })
})
