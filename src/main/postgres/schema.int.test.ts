import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDatabase } from '../../../test/setup/test-database'
import type { Reject } from '../../shared/trade'
import { DEFAULT_THRESHOLDS, ThresholdError } from '../../shared/thresholds'
import type { Database } from './database'
import { insertRejects } from './rejects'
import { getThresholds, setThreshold } from './thresholds'

const T = Date.UTC(2024, 0, 2, 10, 0, 0, 123)
const ts = (n: number): string => `timestamptz 'epoch' + ${n}::bigint * interval '1 millisecond'`

describe('schema', () => {
  let db: Database
  beforeAll(async () => {
    db = await openTestDatabase()
  })
  afterAll(async () => {
    await db?.close()
  })

  // The Kafka offset is not stored (sql/013); it only names the trade here.
  const insertTrade = (
    offset: number,
    symbol = 'AAPL',
    id = `s.${offset}`,
  ): Promise<{ rowCount: number | null }> =>
    db.pool.query(
      `INSERT INTO trades (trade_key, symbol, price, volume, conditions, traded_at, received_at, consumed_at,
                           written_at, kafka_topic, kafka_partition)
       VALUES (trade_key($2), $1, 171.46, 0, '1 12', ${ts(T)}, ${ts(T + 5)}, ${ts(T + 7)}, ${ts(T + 9)},
               'trades', 2)
       ON CONFLICT (traded_at, trade_key) DO NOTHING`,
      [symbol, id],
    )

  it('stores a trade once per trade_id (ON CONFLICT DO NOTHING), not once per Kafka offset', async () => {
    expect((await insertTrade(7)).rowCount).toBe(1)
    expect((await insertTrade(7, 'AMZN')).rowCount).toBe(0) // the same id again: a no-op
    expect((await insertTrade(8)).rowCount).toBe(1)
    // A recreated topic reuses offset 7 for a new trade: it goes in.
    expect((await insertTrade(7, 'AAPL', 'other.7')).rowCount).toBe(1)
    // (trade_key is 64 bits: read as text, since an int8 beyond 2^53 is refused as a number)
    const { rows } = await db.pool.query(
      `SELECT CASE trade_key WHEN trade_key('s.7') THEN 's.7' WHEN trade_key('s.8') THEN 's.8'
                             WHEN trade_key('other.7') THEN 'other.7' ELSE trade_key::text END AS id,
              symbol
       FROM trades WHERE kafka_partition = 2 ORDER BY 1`,
    )
    expect(rows).toEqual([
      { id: 'other.7', symbol: 'AAPL' },
      { id: 's.7', symbol: 'AAPL' },
      { id: 's.8', symbol: 'AAPL' },
    ])
  })

  it('gives a row inserted without a trade_key a key of its own', async () => {
    const insert = `INSERT INTO trades (symbol, price, volume, traded_at, received_at, consumed_at, kafka_topic, kafka_partition)
                    VALUES ('H', 1, 1, ${ts(T)}, now(), now(), 'by-hand', 0) RETURNING trade_key::text AS k, conditions`
    const first = (await db.pool.query<{ k: string; conditions: string }>(insert)).rows[0]!
    // No conditions given: none, as '' (sql/013), not NULL.
    expect(first.conditions).toBe('')
    const a = first.k
    const b = (await db.pool.query<{ k: string }>(insert)).rows[0]!.k
    // Named sql/<hex> from a sequence, as sql/007 named them, so two such rows in one ms both go in.
    expect(a).not.toBe(b)
    const named = await db.pool.query<{ n: number }>(
      `SELECT count(*) AS n FROM trades WHERE kafka_topic = 'by-hand'
         AND trade_key = (SELECT trade_key('sql/' || lpad(to_hex(last_value), 16, '0')) FROM trades_sql_id_seq)`,
    )
    expect(named.rows[0]!.n).toBe(1)
    await db.pool.query(`DELETE FROM trades WHERE kafka_topic = 'by-hand'`)
  })

  it('round-trips stamps as UTC ms epochs whatever the session TimeZone', async () => {
    const client = await db.pool.connect()
    try {
      for (const zone of ['America/New_York', 'Asia/Kolkata', 'UTC']) {
        await client.query(`SET TimeZone = '${zone}'`)
        const { rows } = await client.query(
          `SELECT traded_at, received_at, consumed_at, written_at, conditions FROM trades WHERE trade_key = trade_key('s.7')`,
        )
        expect(rows[0]).toEqual({
          traded_at: T,
          received_at: T + 5,
          consumed_at: T + 7,
          written_at: T + 9,
          conditions: '1 12',
        })
      }
      // Written in a non-UTC session as local text, read back as the same instant.
      await client.query(`SET TimeZone = 'Asia/Kolkata'`)
      await client.query(
        `INSERT INTO trades (symbol, price, volume, traded_at, received_at, consumed_at, written_at, kafka_topic, kafka_partition)
         VALUES ('X', 1, 1, '2024-01-02 15:30:00.123', now(), now(), now(), 'tz', 0)`,
      )
      await client.query(`RESET TimeZone`)
      const { rows } = await client.query(`SELECT traded_at FROM trades WHERE kafka_topic = 'tz'`)
      expect(rows[0].traded_at).toBe(T)
    } finally {
      client.release(true)
    }
  })

  it('keeps millisecond precision: sub-ms input rounds to the ms', async () => {
    await db.pool.query(
      `INSERT INTO trades (symbol, price, volume, traded_at, received_at, consumed_at, kafka_topic, kafka_partition)
       VALUES ('Y', 1, 1, '2024-01-02 10:00:00.1234+00', '2024-01-02 10:00:00.1236+00', now(), 'prec', 0)`,
    )
    const { rows } = await db.pool.query(
      `SELECT traded_at, received_at, written_at, to_char(traded_at AT TIME ZONE 'UTC', 'US') AS us FROM trades WHERE kafka_topic = 'prec'`,
    )
    expect(rows[0].traded_at).toBe(Date.UTC(2024, 0, 2, 10, 0, 0, 123))
    expect(rows[0].received_at).toBe(Date.UTC(2024, 0, 2, 10, 0, 0, 124))
    expect(rows[0].us).toBe('123000')
    expect(Math.abs(rows[0].written_at - Date.now())).toBeLessThan(60_000) // defaults to now()
  })

  it('reads bigint counts as numbers and refuses an unsafe int8', async () => {
    const { rows } = await db.pool.query(
      `SELECT count(*) AS n, 9007199254740991::bigint AS max, avg(1::int) AS a`,
    )
    expect(rows[0]).toEqual({ n: 1, max: Number.MAX_SAFE_INTEGER, a: 1 })
    await expect(db.pool.query(`SELECT 9007199254740993::bigint AS big`)).rejects.toThrow(
      /does not fit a JS number/,
    )
    expect((await db.pool.query(`SELECT 9007199254740993::bigint::text AS big`)).rows[0].big).toBe(
      '9007199254740993',
    )
  })

  describe('insertRejects', () => {
    const consumerReject = (offset: string, raw = '{"s":1}'): Reject => ({
      raw,
      reason: 's: expected string',
      stage: 'consumer',
      rejectedAt: T,
      kafka: { topic: 'trades', partition: 1, offset },
    })

    it('stores many in one statement and skips redelivered coordinates', async () => {
      const source: Reject = { raw: 'not json', reason: 'invalid JSON', stage: 'source', rejectedAt: T + 1 }
      expect(await insertRejects(db.pool, [])).toBe(0)
      expect(await insertRejects(db.pool, [source, source, consumerReject('10'), consumerReject('11')])).toBe(
        4,
      )
      expect(
        await insertRejects(db.pool, [consumerReject('10'), consumerReject('12', 'nul\u0000byte')]),
      ).toBe(1)
      const { rows } = await db.pool.query(
        `SELECT raw, reason, stage, rejected_at, kafka_topic, kafka_partition, kafka_offset FROM rejects ORDER BY id`,
      )
      expect(rows).toHaveLength(5)
      expect(rows[0]).toEqual({
        raw: 'not json',
        reason: 'invalid JSON',
        stage: 'source',
        rejected_at: T + 1,
        kafka_topic: null,
        kafka_partition: null,
        kafka_offset: null,
      })
      expect(rows[2]).toMatchObject({
        stage: 'consumer',
        rejected_at: T,
        kafka_partition: 1,
        kafka_offset: 10,
      })
      expect(rows[4]).toMatchObject({ raw: 'nul\\u0000byte', kafka_offset: 12 })
    })

    it('keeps a new reject at an offset that a recreated topic reused', async () => {
      expect(await insertRejects(db.pool, [consumerReject('30', '{"s":"old"}')])).toBe(1)
      expect(await insertRejects(db.pool, [consumerReject('30', '{"s":"new"}')])).toBe(1)
      expect(await insertRejects(db.pool, [consumerReject('30', '{"s":"new"}')])).toBe(0)
      const { rows } = await db.pool.query(`SELECT raw FROM rejects WHERE kafka_offset = 30 ORDER BY id`)
      expect(rows.map((r: { raw: string }) => r.raw)).toEqual(['{"s":"old"}', '{"s":"new"}'])
    })

    it('works inside a caller transaction on a client', async () => {
      const client = await db.pool.connect()
      try {
        await client.query('BEGIN')
        expect(await insertRejects(client, [consumerReject('20')])).toBe(1)
        await client.query('ROLLBACK')
      } finally {
        client.release()
      }
      expect(
        (await db.pool.query(`SELECT count(*) AS n FROM rejects WHERE kafka_offset = 20`)).rows[0].n,
      ).toBe(0)
    })

    it('refuses an unknown stage at the database too', async () => {
      const bad = { ...consumerReject('30'), stage: 'writer' } as unknown as Reject
      await expect(insertRejects(db.pool, [bad])).rejects.toThrow(/rejects_stage_check/)
    })
  })

  describe('thresholds', () => {
    it('are seeded with the defaults', async () => {
      expect(await getThresholds(db.pool)).toEqual(DEFAULT_THRESHOLDS)
      const { rows } = await db.pool.query('SELECT id, value FROM thresholds ORDER BY id')
      expect(rows.find((r) => r.id === 'data_loss_window_s')?.value).toBe(30)
    })

    it('set validates, stores and reads back', async () => {
      expect(await setThreshold(db.pool, 'rate_interval_s', 5)).toEqual({ id: 'rate_interval_s', value: 5 })
      expect((await getThresholds(db.pool)).rate_interval_s).toBe(5)
      await expect(setThreshold(db.pool, 'symbols_subscribed', 51)).rejects.toThrow(ThresholdError)
      await expect(setThreshold(db.pool, 'symbols_subscribed', 51)).rejects.toThrow(/at most 50/)
      await expect(setThreshold(db.pool, 'bogus', 1)).rejects.toThrow(/unknown threshold "bogus"/)
      expect((await getThresholds(db.pool)).symbols_subscribed).toBe(4)
      await setThreshold(db.pool, 'rate_interval_s', 1)
    })

    it('falls back to the default for a deleted row and says so on set', async () => {
      await db.pool.query(`DELETE FROM thresholds WHERE id = 'latency_alert_ms'`)
      expect((await getThresholds(db.pool)).latency_alert_ms).toBe(5000)
      await expect(setThreshold(db.pool, 'latency_alert_ms', 100)).rejects.toThrow(
        /missing from the thresholds table/,
      )
    })
  })
})
