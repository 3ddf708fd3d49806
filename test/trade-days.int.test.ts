import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { TradeRow } from '../src/main/pipeline/record-codec'
import { writeBatch } from '../src/main/pipeline/consumer/writer'
import { createPool, type Database } from '../src/main/postgres/database'
import { NO_MISMATCHES, rollupMismatches } from './helpers/rollup-checks'
import { openTestDatabase } from './setup/test-database'

// Issue 13: trades lives in UTC day partitions (sql/010). A trade of any date goes in, to its own
// day's partition, exactly once, and the rollup trigger on the partitioned parent counts it.

const DAY = 86_400_000
const NOW = Date.now()
const DATES = [
  Date.UTC(2024, 0, 2, 10, 0, 0, 123), // a record stamped in 2024
  NOW - 31 * DAY, // a replay of last month's recording
  NOW - 60_000,
  Math.floor(NOW / DAY) * DAY + DAY - 1, // the last ms of today (UTC)
]

function row(i: number, tradedAt: number, tradeId: string | null = `days.${i}`): TradeRow {
  return {
    tradeId,
    recordStamp: tradedAt + 5,
    symbol: i % 2 ? 'AAPL' : 'BINANCE:BTCUSDT',
    price: 100 + i,
    volume: i % 3,
    conditions: i % 2 ? ['1', '12'] : null,
    tradedAt,
    receivedAt: tradedAt + 5,
    consumedAt: tradedAt + 9,
    topic: 'trades',
    partition: i % 3,
    offset: String(i),
  }
}

const dayName = (ms: number): string =>
  `trades_${new Date(ms).toISOString().slice(0, 10).replaceAll('-', '')}`

describe('day partitions', () => {
  let db: Database
  beforeAll(async () => {
    db = await openTestDatabase()
  })
  afterAll(async () => {
    await db?.close()
  })

  // Another writer's pool on the same schema: its own connections, and its own cache of days.
  const pool = (): pg.Pool => createPool(inject('databaseUrl'), db.schema)

  const where = async (): Promise<Record<string, number>> => {
    const { rows } = await db.pool.query<{ part: string; n: number }>(
      `SELECT tableoid::regclass::text AS part, count(*) AS n FROM trades GROUP BY 1`,
    )
    return Object.fromEntries(rows.map((r) => [r.part, r.n]))
  }

  it('stores trades of any date in their own day, once, and rolls them up', async () => {
    const rows = DATES.flatMap((t, d) => [0, 1, 2].map((i) => row(d * 10 + i, t + i)))
    // Another producer's records, without a tf_id, are named by their coordinates as before.
    rows.push(row(90, DATES[0]!, null), row(91, DATES[1]!, null))
    expect(await writeBatch(db.pool, rows, [])).toMatchObject({ inserted: rows.length, duplicates: 0 })
    // The whole batch again (a redelivery): a no-op in every partition.
    expect(await writeBatch(db.pool, rows, [])).toMatchObject({ inserted: 0, duplicates: rows.length })

    const expected: Record<string, number> = {}
    for (const r of rows) expected[dayName(r.tradedAt)] = (expected[dayName(r.tradedAt)] ?? 0) + 1
    expect(await where()).toEqual(expected)
    // The newest day's next day is made ahead of need (midnight must not wait on DDL); an old day's
    // next day is not made for nothing.
    const made = async (t: number): Promise<boolean> =>
      (await db.pool.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [dayName(t)])).rows[0].ok
    expect(await made(DATES[0]! + DAY)).toBe(false)
    expect(await rollupMismatches(db.pool)).toEqual(NO_MISMATCHES)
    const rolled = await db.pool.query<{ n: number }>(`SELECT sum(trades)::int AS n FROM trades_1s`)
    expect(rolled.rows[0]!.n).toBe(rows.length)
    const newest = Date.UTC(2025, 5, 1, 23)
    expect(await writeBatch(db.pool, [row(99, newest)], [])).toMatchObject({ inserted: 1 })
    expect(await made(newest + DAY)).toBe(true)
  })

  it('puts a hand insert of a day without a partition in the default one, until the day is made', async () => {
    const t = Date.UTC(2023, 5, 1, 12)
    await db.pool.query(
      `INSERT INTO trades (symbol, price, volume, traded_at, received_at, consumed_at, kafka_topic, kafka_partition)
       VALUES ('H', 1, 1, to_timestamp($1 / 1000.0), now(), now(), 'by-hand', 0)`,
      [t],
    )
    expect((await where())['trades_default']).toBe(1)
    // The writer's first trade of that day makes the partition and moves the day's rows into it.
    expect(await writeBatch(db.pool, [row(200, t + 1)], [])).toMatchObject({ inserted: 1 })
    const parts = await where()
    expect(parts['trades_default']).toBeUndefined()
    expect(parts[dayName(t)]).toBe(2)
    expect(await rollupMismatches(db.pool)).toEqual(NO_MISMATCHES)
  })

  it('makes a day while another transaction is inserting, without waiting for it', async () => {
    // An insert holds the parent ROW EXCLUSIVE until it commits. ATTACH PARTITION takes the parent
    // SHARE UPDATE EXCLUSIVE, which does not conflict; CREATE TABLE ... PARTITION OF would wait.
    const busy = await db.pool.connect()
    const other = pool()
    try {
      await busy.query('BEGIN')
      await busy.query(
        `INSERT INTO trades (symbol, price, volume, traded_at, received_at, consumed_at, kafka_topic, kafka_partition)
         VALUES ('B', 1, 1, now(), now(), now(), 'busy', 0)`,
      )
      const c = await other.connect()
      try {
        // Not a timing assertion: a wait for the busy transaction's lock would end in this error.
        await c.query(`SET lock_timeout = '10s'`)
        const made = await c.query<{ n: number }>(`SELECT trades_add_days(ARRAY['2022-02-02'::date]) AS n`)
        expect(made.rows[0]!.n).toBe(1)
      } finally {
        c.release(true)
      }
      await busy.query('COMMIT')
    } finally {
      busy.release(true)
      await other.end()
    }
    expect((await where())['trades_20220202']).toBeUndefined()
    expect(await writeBatch(db.pool, [row(300, Date.UTC(2022, 1, 2, 1))], [])).toMatchObject({ inserted: 1 })
    expect((await where())['trades_20220202']).toBe(1)
  })

  it('lets two writers make the same days at once', async () => {
    const a = pool()
    const b = pool()
    try {
      const t = Date.UTC(2021, 6, 1, 12)
      const res = await Promise.all([
        writeBatch(a, [row(400, t), row(401, t + DAY)], []),
        writeBatch(b, [row(400, t), row(402, t + DAY)], []),
      ])
      expect(res.reduce((n, r) => n + r.inserted, 0)).toBe(3)
      const parts = await where()
      expect(parts[dayName(t)]).toBe(1)
      expect(parts[dayName(t + DAY)]).toBe(2)
    } finally {
      await a.end()
      await b.end()
    }
  })
})
