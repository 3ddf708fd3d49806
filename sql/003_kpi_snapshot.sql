-- All eight KPIs over [p_from, p_to) by traded_at, in one round trip, as JSON that
-- src/shared/kpi.ts describes (camelCase keys, ms epochs, numbers). This function is the single
-- entry point for the app, so its insides can move onto rollup tables without touching callers.
-- Bucket series cover [p_from, p_to) without gaps; the edge buckets may stick out (partial).

CREATE FUNCTION kpi_snapshot(p_from timestamptz, p_to timestamptz, p_symbol text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path FROM CURRENT
AS $fn$
DECLARE
  v_rate double precision := greatest(kpi_threshold('rate_interval_s', 1), 1);
  v_win double precision := greatest(kpi_threshold('data_loss_window_s', 30), 1);
  v_expected integer := kpi_threshold('symbols_subscribed', 4)::integer;
  v_seconds double precision;
  v_result jsonb;
BEGIN
  IF p_from IS NULL OR p_to IS NULL OR p_to <= p_from THEN
    RAISE EXCEPTION 'kpi_snapshot needs p_from < p_to, got % and %', p_from, p_to USING ERRCODE = '22023';
  END IF;
  v_seconds := extract(epoch FROM p_to) - extract(epoch FROM p_from);
  -- A day of 1 s buckets is fine; a year of them is a UI bug that would build a huge JSON.
  IF v_seconds / v_rate > 100000 THEN
    RAISE EXCEPTION 'kpi_snapshot window of % s holds more than 100000 buckets of % s', v_seconds, v_rate
      USING ERRCODE = '54000';
  END IF;

  -- One index range scan; every KPI below reads this. Latencies are computed once per row here,
  -- not once per aggregate that uses them.
  WITH w AS MATERIALIZED (
    SELECT symbol, price, volume, traded_at,
           kpi_ms_between(traded_at, written_at) AS trade_to_db,
           kpi_ms_between(traded_at, received_at) AS trade_to_kafka,
           kpi_ms_between(received_at, consumed_at) AS kafka_to_consumer,
           kpi_ms_between(consumed_at, written_at) AS consumer_to_db,
           kpi_ms_between(received_at, written_at) AS kafka_to_db
    FROM trades
    WHERE traded_at >= p_from AND traded_at < p_to
  ),
  per_symbol AS (
    SELECT symbol, count(*) AS trades, avg(volume) AS avg_volume, sum(volume) AS total_volume,
           avg(price) AS avg_price, min(price) AS min_price, max(price) AS max_price
    FROM w GROUP BY symbol
  ),
  chosen AS (
    SELECT coalesce(p_symbol, (SELECT symbol FROM per_symbol ORDER BY trades DESC, symbol LIMIT 1)) AS symbol
  ),
  rate AS (
    SELECT g.b, coalesce(c.n, 0) AS n
    FROM generate_series(kpi_bucket(p_from, v_rate), p_to - interval '1 microsecond',
                         make_interval(secs => v_rate)) AS g(b)
    LEFT JOIN (SELECT kpi_bucket(traded_at, v_rate) AS b, count(*) AS n FROM w GROUP BY 1) c ON c.b = g.b
  ),
  loss AS (
    SELECT g.b, coalesce(c.n, 0) AS n
    FROM generate_series(kpi_bucket(p_from, v_win), p_to - interval '1 microsecond',
                         make_interval(secs => v_win)) AS g(b)
    LEFT JOIN (SELECT kpi_bucket(traded_at, v_win) AS b, count(DISTINCT symbol) AS n FROM w GROUP BY 1) c
      ON c.b = g.b
  ),
  vol AS (
    SELECT g.b, coalesce(c.v, 0) AS v, coalesce(c.n, 0) AS n
    FROM generate_series(kpi_bucket(p_from, v_rate), p_to - interval '1 microsecond',
                         make_interval(secs => v_rate)) AS g(b)
    LEFT JOIN (
      SELECT kpi_bucket(traded_at, v_rate) AS b, sum(volume) AS v, count(*) AS n
      FROM w WHERE symbol = (SELECT symbol FROM chosen) GROUP BY 1
    ) c ON c.b = g.b
  ),
  a AS (
    SELECT count(*) AS n,
      avg(trade_to_db) AS a1, percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY trade_to_db) AS q1, max(trade_to_db) AS m1,
      avg(trade_to_kafka) AS a2, percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY trade_to_kafka) AS q2, max(trade_to_kafka) AS m2,
      avg(kafka_to_consumer) AS a3, percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY kafka_to_consumer) AS q3, max(kafka_to_consumer) AS m3,
      avg(consumer_to_db) AS a4, percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY consumer_to_db) AS q4, max(consumer_to_db) AS m4,
      avg(kafka_to_db) AS a5, percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY kafka_to_db) AS q5, max(kafka_to_db) AS m5
    FROM w
  ),
  lat AS (
    SELECT s.ord, jsonb_build_object('stage', s.stage, 'samples', a.n, 'avgMs', s.avg_ms,
             'p50Ms', s.q[1], 'p95Ms', s.q[2], 'p99Ms', s.q[3], 'maxMs', s.max_ms) AS j
    FROM a CROSS JOIN LATERAL (VALUES
      (1, 'trade_to_db', a.a1, a.q1, a.m1),
      (2, 'trade_to_kafka', a.a2, a.q2, a.m2),
      (3, 'kafka_to_consumer', a.a3, a.q3, a.m3),
      (4, 'consumer_to_db', a.a4, a.q4, a.m4),
      (5, 'kafka_to_db', a.a5, a.q5, a.m5)
    ) AS s(ord, stage, avg_ms, q, max_ms)
  )
  SELECT jsonb_build_object(
    'from', kpi_ms(p_from),
    'to', kpi_ms(p_to),
    'rateIntervalS', v_rate,
    'dataLossWindowS', v_win,
    'symbolsSubscribed', v_expected,
    'totalTrades', (SELECT coalesce(sum(trades), 0)::bigint FROM per_symbol),
    'rejects', (SELECT count(*) FROM rejects WHERE rejected_at >= p_from AND rejected_at < p_to),
    'symbols', (
      SELECT coalesce(jsonb_agg(jsonb_build_object(
               'symbol', symbol, 'trades', trades, 'avgVolume', avg_volume, 'totalVolume', total_volume,
               'avgPrice', avg_price, 'minPrice', min_price, 'maxPrice', max_price,
               'priceRange', max_price - min_price) ORDER BY symbol), '[]'::jsonb)
      FROM per_symbol),
    'tradesPerSecond', jsonb_build_object(
      'average', (SELECT coalesce(sum(trades), 0) FROM per_symbol)::double precision / v_seconds,
      'buckets', (SELECT jsonb_agg(jsonb_build_object('start', kpi_ms(b), 'trades', n, 'perSecond', n / v_rate)
                    ORDER BY b) FROM rate)),
    'dataLoss', jsonb_build_object(
      'lossWindows', (SELECT count(*) FROM loss WHERE n < v_expected),
      'buckets', (SELECT jsonb_agg(jsonb_build_object(
                    'start', kpi_ms(b), 'symbolsSeen', n, 'symbolsExpected', v_expected,
                    'symbolsMissing', greatest(v_expected - n, 0), 'dataLoss', n < v_expected,
                    'partial', b < p_from OR b + make_interval(secs => v_win) > p_to) ORDER BY b)
                  FROM loss)),
    'volumeTrend', (
      SELECT jsonb_build_object('symbol', chosen.symbol, 'buckets', CASE WHEN chosen.symbol IS NULL THEN '[]'::jsonb
               ELSE (SELECT jsonb_agg(jsonb_build_object('start', kpi_ms(b), 'volume', v, 'trades', n) ORDER BY b)
                     FROM vol) END)
      FROM chosen),
    'latency', (SELECT jsonb_agg(j ORDER BY ord) FROM lat)
  ) INTO v_result;

  RETURN v_result;
END
$fn$;

COMMENT ON FUNCTION kpi_snapshot(timestamptz, timestamptz, text) IS
  'All eight KPIs over [p_from, p_to) by traded_at as JSON (see src/shared/kpi.ts); p_symbol picks the volume trend';
