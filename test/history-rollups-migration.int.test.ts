import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate } from '../src/main/postgres/migrate'
import { NO_MISMATCHES, rollupMismatches } from './helpers/rollup-checks'
import { olderDatabase, type OlderDatabase } from './helpers/older-database'
import { uniqueSchemaName } from './setup/test-database'

// sql/012 on a database that already holds trades and minute rollups, one day of which retention
// has dropped: the hour rollups are backfilled from the minute rollups, so that day keeps its KPIs.

const DAY = 86_400_000
const H = 3_600_000
const ms = (i: number): string => `timestamptz 'epoch' + ${i}::bigint * interval '1 ms'`
/** the UTC day of a ms epoch, as trades_add_days wants it */
const day = (t: number): string => new Date(t).toISOString().slice(0, 10)

/** n trades of 3 symbols from t0, every stepMs, with latencies of 1 ms to ~9 s over 3 partitions. */
const insert = (t0: number, n: number, stepMs: number): string => `
  INSERT INTO trades (symbol, price, volume, traded_at, received_at, consumed_at, written_at,
                      kafka_topic, kafka_partition, kafka_offset)
  SELECT (ARRAY['AAPL', 'AMZN', 'IC MARKETS:1'])[1 + h % 3], 100 + (h % 997) / 10.0, (h % 13) / 8.0, t, r,
         r + (h % 23) * interval '1 ms', r + (h % 23 + h % 41) * interval '1 ms', 'trades', h % 3, i
  FROM (SELECT i, h, t, t + floor(exp((h % 1000) / 110.0)) * interval '1 ms' AS r
        FROM (SELECT i, (i * 2654435761) % 4294967291 AS h, ${ms(t0)} + i * ${stepMs} * interval '1 ms' AS t
              FROM generate_series(0, ${n - 1}) AS i) AS g) AS x`

describe('migration 012 on existing rollups', () => {
  const schema = uniqueSchemaName('m12')
  let pool: pg.Pool
  let older: OlderDatabase | undefined
  beforeAll(async () => {
    older = await olderDatabase(schema, 12)
    pool = older.pool
    expect(older.version).toBe(11)
  })
  afterAll(async () => {
    await older?.close()
  })

  it('backfills trades_1h and latency_1h from the minute rollups, also of a day whose trades are gone', async () => {
    const kept = Date.UTC(2024, 0, 2, 10, 17, 3) // two hours and a bit, across hour boundaries
    const gone = Math.floor((Date.now() - 3 * DAY) / DAY) * DAY + 10 * H + 1234 // within its day
    await pool.query(`SELECT trades_add_days(ARRAY[$1::date, $2::date])`, [day(kept), day(gone)])
    await pool.query(insert(kept, 6000, 1300))
    await pool.query(insert(gone, 3000, 1700))
    // Retention drops the day, the minute rollups keep it.
    await pool.query(`SELECT trades_detach_day($1::date)`, [day(gone)])
    await pool.query(`SELECT trades_drop_detached()`)
    expect((await pool.query(`SELECT count(*)::int AS n FROM trades`)).rows[0]).toEqual({ n: 6000 })

    const { applied } = await migrate(pool, { schema })
    // 012 first, then the later ones (which this test does not read)
    expect(applied[0]?.fileName).toBe('012_history_rollups.sql')

    // The dropped day: hours equal the sums of their minutes (counts, sums, extremes, seconds).
    const { rows: goneHours } = await pool.query<{ bad: number; hours: number; trades: number }>(
      `WITH m AS (
         SELECT kpi_bucket(minute, 3600) AS hour, symbol, sum(trades)::int AS trades, sum(volume_sum) AS v,
                min(price_min) AS lo, max(price_max) AS hi, sum(bit_count(seconds::bit(64)))::int AS secs
         FROM trades_1m WHERE minute >= $1 AND minute < $2 GROUP BY 1, 2)
       SELECT count(*) FILTER (WHERE h.trades IS DISTINCT FROM m.trades OR abs(h.volume_sum - m.v) > 1e-9
                                  OR h.price_min <> m.lo OR h.price_max <> m.hi
                                  OR bit_count(h.seconds) <> m.secs)::int AS bad,
              count(*)::int AS hours, sum(h.trades)::int AS trades
       FROM m FULL JOIN trades_1h h USING (hour, symbol) WHERE coalesce(h.hour, m.hour) >= $1 AND coalesce(h.hour, m.hour) < $2`,
      [new Date(gone - 1234), new Date(gone + DAY)],
    )
    expect(goneHours[0]).toEqual({ bad: 0, hours: 6, trades: 3000 })
    const { rows: goneLatency } = await pool.query<{ trades: number; samples: number; maxes: boolean }>(
      `SELECT sum(trades)::int AS trades, sum((SELECT sum(n) FROM unnest(hist_n) AS n))::int AS samples,
              bool_and(lat_max = (SELECT array_agg(mx ORDER BY s) FROM (
                SELECT u.s, max(u.mx) AS mx FROM latency_1m l, unnest(l.lat_max) WITH ORDINALITY AS u(mx, s)
                WHERE kpi_bucket(l.minute, 3600) = h.hour GROUP BY u.s) AS x)) AS maxes
       FROM latency_1h h WHERE hour >= $1 AND hour < $2`,
      [new Date(gone - 1234), new Date(gone + DAY)],
    )
    expect(goneLatency[0]).toEqual({ trades: 3000, samples: 5 * 3000, maxes: true })

    // The kept day: every rollup as from its raw trades, once the dropped day's are set aside.
    for (const t of ['trades_1s', 'trades_1m', 'trades_1h', 'latency_1s', 'latency_1m', 'latency_1h']) {
      const ts = t.endsWith('1s') ? 'second' : t.endsWith('1m') ? 'minute' : 'hour'
      await pool.query(`DELETE FROM ${t} WHERE ${ts} >= $1`, [new Date(gone - DAY)])
    }
    expect(await rollupMismatches(pool)).toEqual(NO_MISMATCHES)
    expect((await pool.query(`SELECT count(*)::int AS n FROM trades_1h`)).rows[0]).toEqual({ n: 9 })
  })
})
