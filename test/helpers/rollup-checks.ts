import type pg from 'pg'

/*
 * Test helpers: the rollups of sql/004 and sql/012 recomputed straight from trades, by a different route than
 * the trigger (five kpi_ms_between() calls per trade, no merging), and compared row by row.
 * Counts, keys, bitmasks and min/max must match exactly; float sums to 1e-9 relative.
 */

const near = (a: string, b: string): string => `(abs(${a} - ${b}) <= 1e-9 * greatest(1, abs(${b})))`

const EXPECTED_SYMBOL = (width: number): string => `
  SELECT symbol, kpi_bucket(traded_at, ${width}) AS ts, count(*)::integer AS trades, sum(volume) AS volume_sum,
         sum(price) AS price_sum, min(price) AS price_min, max(price) AS price_max,
         bit_or(1::bigint << date_part('epoch', kpi_bucket(traded_at, 1) - kpi_bucket(traded_at, 60))::integer) AS seconds
  FROM trades GROUP BY 1, 2`

const STAGES = `(VALUES
  (1, kpi_ms_between(t.traded_at, t.written_at)), (2, kpi_ms_between(t.traded_at, t.received_at)),
  (3, kpi_ms_between(t.received_at, t.consumed_at)), (4, kpi_ms_between(t.consumed_at, t.written_at)),
  (5, kpi_ms_between(t.received_at, t.written_at))) AS l(stage, ms)`

/**
 * Latency rollups per bucket and partition; per bucket and topic alone for the hour rollup, whose
 * keys are the coarse cells of sql/012 (the partition column is then the constant 0).
 */
const EXPECTED_LATENCY = (width: number, hourly = false): string => {
  const part = hourly ? '0' : 't.kafka_partition'
  const key = hourly
    ? 'kpi_lat_coarse(l.stage * 4096 + 2048 + kpi_lat_key(l.ms))'
    : 'l.stage * 4096 + 2048 + kpi_lat_key(l.ms)'
  return `
  WITH cells AS (
    SELECT kpi_bucket(t.traded_at, ${width}) AS ts, t.kafka_topic, ${part} AS kafka_partition,
           ${key} AS key, count(*)::integer AS n, sum(l.ms) AS s
    FROM trades t CROSS JOIN LATERAL ${STAGES} GROUP BY 1, 2, 3, 4
  ),
  maxes AS (
    SELECT ts, kafka_topic, kafka_partition, array_agg(mx ORDER BY stage) AS lat_max
    FROM (SELECT kpi_bucket(t.traded_at, ${width}) AS ts, t.kafka_topic, ${part} AS kafka_partition, l.stage, max(l.ms) AS mx
          FROM trades t CROSS JOIN LATERAL ${STAGES} GROUP BY 1, 2, 3, 4) AS x
    GROUP BY 1, 2, 3
  )
  SELECT c.ts, c.kafka_topic, c.kafka_partition, sum(c.n) FILTER (WHERE c.key / 4096 = 1)::integer AS trades,
         array_agg(c.key ORDER BY c.key) AS hist_key, array_agg(c.n ORDER BY c.key) AS hist_n,
         array_agg(c.s ORDER BY c.key) AS hist_sum, min(m.lat_max) AS lat_max
  FROM cells c JOIN maxes m USING (ts, kafka_topic, kafka_partition)
  GROUP BY 1, 2, 3`
}

/** trades_1h's 3600 bits, spelt out second by second (the trigger ORs single bits). */
const EXPECTED_HOUR = `
  SELECT symbol, kpi_bucket(traded_at, 3600) AS ts, count(*)::integer AS trades, sum(volume) AS volume_sum,
         sum(price) AS price_sum, min(price) AS price_min, max(price) AS price_max,
         (SELECT string_agg(CASE WHEN g.i = ANY (array_agg(DISTINCT date_part('epoch', kpi_bucket(traded_at, 1)
                                   - kpi_bucket(traded_at, 3600))::integer)) THEN '1' ELSE '0' END, '' ORDER BY g.i)
          FROM generate_series(0, 3599) AS g(i))::bit(3600) AS seconds
  FROM trades GROUP BY 1, 2`

async function mismatches(pool: pg.Pool | pg.ClientBase, sql: string): Promise<unknown[]> {
  return (await pool.query(sql)).rows
}

/** Rows where a rollup differs from the same aggregate over raw trades; all empty when consistent. */
export async function rollupMismatches(pool: pg.Pool | pg.ClientBase): Promise<Record<string, unknown[]>> {
  const symbolCheck = (table: string, ts: string, width: number, seconds: boolean): string => `
    SELECT e.symbol, e.ts, e.trades AS expected, r.trades AS actual
    FROM (${width === 3600 ? EXPECTED_HOUR : EXPECTED_SYMBOL(width)}) e FULL JOIN ${table} r ON r.symbol = e.symbol AND r.${ts} = e.ts
    WHERE r.trades IS DISTINCT FROM e.trades OR r.price_min IS DISTINCT FROM e.price_min
       OR r.price_max IS DISTINCT FROM e.price_max OR NOT ${near('r.volume_sum', 'e.volume_sum')}
       OR NOT ${near('r.price_sum', 'e.price_sum')}
       ${seconds ? 'OR r.seconds IS DISTINCT FROM e.seconds' : ''}`
  const latencyCheck = (table: string, ts: string, width: number): string => `
    SELECT e.ts, e.kafka_topic, e.kafka_partition, e.hist_n AS expected, r.hist_n AS actual
    FROM (${EXPECTED_LATENCY(width, width === 3600)}) e
    FULL JOIN ${width === 3600 ? `(SELECT *, 0 AS kafka_partition FROM ${table})` : table} r
      ON r.${ts} = e.ts AND r.kafka_topic = e.kafka_topic AND r.kafka_partition = e.kafka_partition
    WHERE r.trades IS DISTINCT FROM e.trades OR r.hist_key IS DISTINCT FROM e.hist_key
       OR r.hist_n IS DISTINCT FROM e.hist_n OR r.lat_max IS DISTINCT FROM e.lat_max
       OR cardinality(r.hist_sum) IS DISTINCT FROM cardinality(e.hist_sum)
       OR EXISTS (SELECT FROM unnest(r.hist_sum, e.hist_sum) AS u(a, b) WHERE NOT ${near('u.a', 'u.b')})`
  // Per-second counts of latency_1m, from raw trades.
  const secondCounts = `
    WITH k AS (SELECT DISTINCT kpi_bucket(traded_at, 60) AS minute, kafka_topic, kafka_partition FROM trades),
    c AS (SELECT kpi_bucket(traded_at, 1) AS second, kafka_topic, kafka_partition, count(*)::integer AS n
          FROM trades GROUP BY 1, 2, 3),
    e AS (
      SELECT k.minute, k.kafka_topic, k.kafka_partition, array_agg(coalesce(c.n, 0) ORDER BY g.i) AS counts
      FROM k CROSS JOIN generate_series(0, 59) AS g(i)
      LEFT JOIN c ON c.second = k.minute + g.i * interval '1 second'
                 AND c.kafka_topic = k.kafka_topic AND c.kafka_partition = k.kafka_partition
      GROUP BY 1, 2, 3
    )
    SELECT e.minute, e.counts AS expected, r.second_trades AS actual
    FROM e FULL JOIN latency_1m r USING (minute, kafka_topic, kafka_partition)
    WHERE r.second_trades IS DISTINCT FROM e.counts`
  return {
    trades_1s: await mismatches(pool, symbolCheck('trades_1s', 'second', 1, false)),
    trades_1m: await mismatches(pool, symbolCheck('trades_1m', 'minute', 60, true)),
    latency_1s: await mismatches(pool, latencyCheck('latency_1s', 'second', 1)),
    latency_1m: await mismatches(pool, latencyCheck('latency_1m', 'minute', 60)),
    latency_1m_seconds: await mismatches(pool, secondCounts),
    trades_1h: await mismatches(pool, symbolCheck('trades_1h', 'hour', 3600, true)),
    latency_1h: await mismatches(pool, latencyCheck('latency_1h', 'hour', 3600)),
  }
}

export const NO_MISMATCHES = {
  trades_1s: [],
  trades_1m: [],
  latency_1s: [],
  latency_1m: [],
  latency_1m_seconds: [],
  trades_1h: [],
  latency_1h: [],
}

/**
 * Rows of trades_1s/1m/1h whose first/last trade or sum(price * volume) (sql/016) differ from the raw
 * trades: first and last by DISTINCT ON over (traded_at, price), sql/016's order, not its marks.
 */
export async function candleMismatches(pool: pg.Pool | pg.ClientBase): Promise<Record<string, unknown[]>> {
  const check = (table: string, ts: string, width: number): string => `
    WITH t AS (SELECT symbol, kpi_bucket(traded_at, ${width}) AS ts, traded_at, price, volume FROM trades),
    o AS (SELECT DISTINCT ON (symbol, ts) symbol, ts, traded_at AS first_at, price AS first_price
          FROM t ORDER BY symbol, ts, traded_at, price),
    c AS (SELECT DISTINCT ON (symbol, ts) symbol, ts, traded_at AS last_at, price AS last_price
          FROM t ORDER BY symbol, ts, traded_at DESC, price DESC),
    e AS (SELECT symbol, ts, sum(price * volume) AS pv_sum FROM t GROUP BY 1, 2)
    SELECT coalesce(e.symbol, r.symbol) AS symbol, kpi_ms(coalesce(e.ts, r.${ts})) AS at, o.first_at, o.first_price, c.last_at, c.last_price, e.pv_sum,
           r.first_at AS r_first_at, r.first_price AS r_first_price, r.last_at AS r_last_at,
           r.last_price AS r_last_price, r.pv_sum AS r_pv_sum
    FROM e JOIN o USING (symbol, ts) JOIN c USING (symbol, ts)
    FULL JOIN ${table} r ON r.symbol = e.symbol AND r.${ts} = e.ts
    WHERE r.first_at IS DISTINCT FROM o.first_at OR r.first_price IS DISTINCT FROM o.first_price
       OR r.last_at IS DISTINCT FROM c.last_at OR r.last_price IS DISTINCT FROM c.last_price
       OR NOT ${near('r.pv_sum', 'e.pv_sum')} OR r.pv_sum IS NULL`
  return {
    trades_1s: await mismatches(pool, check('trades_1s', 'second', 1)),
    trades_1m: await mismatches(pool, check('trades_1m', 'minute', 60)),
    trades_1h: await mismatches(pool, check('trades_1h', 'hour', 3600)),
  }
}

/**
 * SQL: a trades_* rollup row as jsonb without sql/016's columns, for tests of earlier migrations
 * that compare rows before and after migrating (016's backfill fills those columns in between).
 */
export const WITHOUT_CANDLES = (row: string): string =>
  `(to_jsonb(${row}) - '{first_at,first_price,last_at,last_price,pv_sum}'::text[])`

export const NO_CANDLE_MISMATCHES = { trades_1s: [], trades_1m: [], trades_1h: [] }

/** Row counts of the four rollups, to show a test really had something to compare. */
export async function rollupSizes(pool: pg.Pool | pg.ClientBase): Promise<Record<string, number>> {
  const { rows } = await pool.query<Record<string, number>>(
    `SELECT (SELECT count(*) FROM trades_1s) AS trades_1s, (SELECT count(*) FROM trades_1m) AS trades_1m,
            (SELECT count(*) FROM latency_1s) AS latency_1s, (SELECT count(*) FROM latency_1m) AS latency_1m,
            (SELECT count(*) FROM trades_1h) AS trades_1h, (SELECT count(*) FROM latency_1h) AS latency_1h`,
  )
  return rows[0]!
}
