-- A data-loss window is data loss only when the snapshot holds all of it. A bucket that sticks out
-- of [p_from, p_to) (partial) was read in part: the open bucket at the end of a live window, which
-- its trades are still reaching, or the first one of a range that starts mid-bucket. It may lack
-- symbols that trade, or traded, in the part outside, so it is never dataLoss and lossWindows
-- leaves it out; it is still listed, with partial = true, for the chart to draw as such.
-- (Before, a partial bucket counted: right after Start the dashboard showed "1 short window".)
--
-- Only the loss CTE and the dataLoss fields differ from sql/006; the rest is copied unchanged,
-- since a plpgsql function is replaced whole.

-- The reference: every KPI straight from raw trades, exact percentiles.
CREATE OR REPLACE FUNCTION kpi_snapshot_raw(p_from timestamptz, p_to timestamptz, p_symbol text DEFAULT NULL,
                                 p_bucket_s integer DEFAULT NULL, p_symbols text[] DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path FROM CURRENT
AS $fn$
DECLARE
  v_rate double precision := greatest(kpi_threshold('rate_interval_s', 1), 1);
  v_win double precision := greatest(kpi_threshold('data_loss_window_s', 30), 1);
  v_expected integer := kpi_threshold('symbols_subscribed', 4)::integer;
  v_bucket double precision := kpi_series_bucket_s(v_rate, p_bucket_s);
  v_seconds double precision;
  v_result jsonb;
BEGIN
  IF p_from IS NULL OR p_to IS NULL OR p_to <= p_from THEN
    RAISE EXCEPTION 'kpi_snapshot needs p_from < p_to, got % and %', p_from, p_to USING ERRCODE = '22023';
  END IF;
  v_seconds := extract(epoch FROM p_to) - extract(epoch FROM p_from);
  IF v_seconds / least(v_bucket, v_win) > 100000 THEN
    RAISE EXCEPTION 'kpi_snapshot window of % s holds more than 100000 buckets of % s', v_seconds,
      least(v_bucket, v_win) USING ERRCODE = '54000';
  END IF;

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
  grid AS (
    SELECT b FROM generate_series(kpi_bucket(p_from, v_bucket), p_to - interval '1 microsecond',
                                  make_interval(secs => v_bucket)) AS g(b)
  ),
  rate AS (
    SELECT g.b, coalesce(c.n, 0) AS n
    FROM grid g LEFT JOIN (SELECT kpi_bucket(traded_at, v_bucket) AS b, count(*) AS n FROM w GROUP BY 1) c ON c.b = g.b
  ),
  sym_rate AS (
    SELECT p.symbol, jsonb_agg(coalesce(c.n, 0) / v_bucket ORDER BY g.b) AS per_second
    FROM per_symbol p CROSS JOIN grid g
    LEFT JOIN (SELECT symbol, kpi_bucket(traded_at, v_bucket) AS b, count(*) AS n FROM w GROUP BY 1, 2) c
      ON c.symbol = p.symbol AND c.b = g.b
    GROUP BY p.symbol
  ),
  loss_grid AS (
    SELECT b FROM generate_series(kpi_bucket(p_from, v_win), p_to - interval '1 microsecond',
                                  make_interval(secs => v_win)) AS g(b)
  ),
  pairs AS MATERIALIZED (SELECT DISTINCT kpi_bucket(traded_at, v_win) AS b, symbol FROM w),
  -- partial: the bucket sticks out of [p_from, p_to), so symbols may have traded in the part not read
  loss AS (
    SELECT g.b, count(p.symbol) AS n, g.b < p_from OR g.b + make_interval(secs => v_win) > p_to AS partial
    FROM loss_grid g LEFT JOIN pairs p ON p.b = g.b GROUP BY g.b
  ),
  missing AS (
    SELECT g.b, array_agg(e.s ORDER BY e.s) AS symbols
    FROM loss_grid g CROSS JOIN (SELECT DISTINCT s FROM unnest(p_symbols) AS u(s) WHERE s IS NOT NULL) AS e
    WHERE NOT EXISTS (SELECT FROM pairs p WHERE p.b = g.b AND p.symbol = e.s)
    GROUP BY g.b
  ),
  vol AS (
    SELECT g.b, coalesce(c.v, 0) AS v, coalesce(c.n, 0) AS n
    FROM grid g
    LEFT JOIN (
      SELECT kpi_bucket(traded_at, v_bucket) AS b, sum(volume) AS v, count(*) AS n
      FROM w WHERE symbol = (SELECT symbol FROM chosen) GROUP BY 1
    ) c ON c.b = g.b
  ),
  st AS (
    SELECT * FROM (VALUES (1, 'trade_to_db'), (2, 'trade_to_kafka'), (3, 'kafka_to_consumer'),
                          (4, 'consumer_to_db'), (5, 'kafka_to_db')) AS s(ord, name)
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
    SELECT s.ord, jsonb_build_object('stage', st.name, 'samples', a.n, 'avgMs', s.avg_ms,
             'p50Ms', s.q[1], 'p95Ms', s.q[2], 'p99Ms', s.q[3], 'maxMs', s.max_ms) AS j
    FROM a CROSS JOIN LATERAL (VALUES (1, a.a1, a.q1, a.m1), (2, a.a2, a.q2, a.m2), (3, a.a3, a.q3, a.m3),
                                      (4, a.a4, a.q4, a.m4), (5, a.a5, a.q5, a.m5)) AS s(ord, avg_ms, q, max_ms)
    JOIN st USING (ord)
  ),
  lt AS (
    SELECT kpi_bucket(traded_at, v_bucket) AS b,
      percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY trade_to_db) AS q1,
      percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY trade_to_kafka) AS q2,
      percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY kafka_to_consumer) AS q3,
      percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY consumer_to_db) AS q4,
      percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY kafka_to_db) AS q5
    FROM w GROUP BY 1
  ),
  trend AS (
    SELECT s.ord, jsonb_agg(s.q[1] ORDER BY lt.b) AS p50, jsonb_agg(s.q[2] ORDER BY lt.b) AS p95,
           jsonb_agg(s.q[3] ORDER BY lt.b) AS p99
    FROM lt CROSS JOIN LATERAL (VALUES (1, lt.q1), (2, lt.q2), (3, lt.q3), (4, lt.q4), (5, lt.q5)) AS s(ord, q)
    GROUP BY s.ord
  )
  SELECT jsonb_build_object(
    'from', kpi_ms(p_from),
    'to', kpi_ms(p_to),
    'rateIntervalS', v_rate,
    'bucketS', v_bucket,
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
      'buckets', (SELECT jsonb_agg(jsonb_build_object('start', kpi_ms(b), 'trades', n, 'perSecond', n / v_bucket)
                    ORDER BY b) FROM rate),
      'bySymbol', (SELECT coalesce(jsonb_agg(jsonb_build_object('symbol', symbol, 'perSecond', per_second)
                                   ORDER BY symbol), '[]'::jsonb) FROM sym_rate)),
    'dataLoss', jsonb_build_object(
      'lossWindows', (SELECT count(*) FROM loss WHERE n < v_expected AND NOT partial),
      'buckets', (SELECT jsonb_agg(jsonb_build_object(
                    'start', kpi_ms(l.b), 'symbolsSeen', l.n, 'symbolsExpected', v_expected,
                    'symbolsMissing', greatest(v_expected - l.n, 0),
                    'dataLoss', l.n < v_expected AND NOT l.partial, 'partial', l.partial,
                    'missing', coalesce(to_jsonb(m.symbols), '[]'::jsonb)) ORDER BY l.b)
                  FROM loss l LEFT JOIN missing m ON m.b = l.b)),
    'volumeTrend', (
      SELECT jsonb_build_object('symbol', chosen.symbol, 'buckets', CASE WHEN chosen.symbol IS NULL THEN '[]'::jsonb
               ELSE (SELECT jsonb_agg(jsonb_build_object('start', kpi_ms(b), 'volume', v, 'trades', n) ORDER BY b)
                     FROM vol) END)
      FROM chosen),
    'latency', (SELECT jsonb_agg(j ORDER BY ord) FROM lat),
    'latencyTrend', jsonb_build_object(
      'start', (SELECT coalesce(jsonb_agg(kpi_ms(b) ORDER BY b), '[]'::jsonb) FROM lt),
      'stages', (SELECT jsonb_agg(jsonb_build_object('stage', st.name, 'p50Ms', coalesce(t.p50, '[]'::jsonb),
                                    'p95Ms', coalesce(t.p95, '[]'::jsonb), 'p99Ms', coalesce(t.p99, '[]'::jsonb))
                                  ORDER BY st.ord)
                 FROM st LEFT JOIN trend t USING (ord)))
  ) INTO v_result;

  RETURN v_result;
END
$fn$;

COMMENT ON FUNCTION kpi_snapshot_raw(timestamptz, timestamptz, text, integer, text[]) IS
  'kpi_snapshot() computed from raw trades: exact percentiles, cost grows with the trades in the window';

-- The app's entry point, on the rollups of 004. As in 005, the window [p_from, p_to) is cut into
--   whole minutes [m_lo, m_hi)                       → trades_1m, latency_1m
--   whole seconds [s_lo, m_lo) and [m_hi, s_hi)      → trades_1s, latency_1s  (< 2 minutes)
--   the sub-second edges [p_from, s_lo), [s_hi, p_to) → raw trades            (< 2 seconds)
-- for the window totals and the data-loss buckets (whose minute bitmasks serve any window width).
-- The series need counts and histograms per bucket and symbol: a minute row serves them only when
-- the minute lies in one bucket, i.e. when bucketS is a multiple of 60. Otherwise they read the
-- 1 s rollups over all whole seconds [s_lo, s_hi), so their cost grows with window / 1 s.
CREATE OR REPLACE FUNCTION kpi_snapshot(p_from timestamptz, p_to timestamptz, p_symbol text DEFAULT NULL,
                             p_bucket_s integer DEFAULT NULL, p_symbols text[] DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path FROM CURRENT
-- The planner overestimates the per-minute generate_series (1000 rows each), and JIT then spends
-- up to 2 s compiling a query that runs in milliseconds.
SET jit = off
-- The latency trend aggregates ~100 k histogram cells when it reads 1 s rollups; the planner
-- expects far fewer, and 4 MB made the hash aggregate and the sort spill to disk.
SET work_mem = '32MB'
-- Which rollups and ranges each part reads depends on the window and on bucketS: plan every call
-- with the actual values (the one-time filters of the unused branches then cost nothing).
SET plan_cache_mode = force_custom_plan
AS $fn$
DECLARE
  v_rate double precision := greatest(kpi_threshold('rate_interval_s', 1), 1);
  v_win double precision := greatest(kpi_threshold('data_loss_window_s', 30), 1);
  v_expected integer := kpi_threshold('symbols_subscribed', 4)::integer;
  v_bucket double precision := kpi_series_bucket_s(v_rate, p_bucket_s);
  v_seconds double precision;
  s_lo timestamptz;
  s_hi timestamptz;
  m_lo timestamptz;
  m_hi timestamptz;
  -- the series read minute rollups over [x_lo, x_hi) and 1 s rollups over the rest of [s_lo, s_hi)
  v_by_min boolean;
  x_lo timestamptz;
  x_hi timestamptz;
  v_result jsonb;
BEGIN
  IF p_from IS NULL OR p_to IS NULL OR p_to <= p_from THEN
    RAISE EXCEPTION 'kpi_snapshot needs p_from < p_to, got % and %', p_from, p_to USING ERRCODE = '22023';
  END IF;
  v_seconds := extract(epoch FROM p_to) - extract(epoch FROM p_from);
  IF v_seconds / least(v_bucket, v_win) > 100000 THEN
    RAISE EXCEPTION 'kpi_snapshot window of % s holds more than 100000 buckets of % s', v_seconds,
      least(v_bucket, v_win) USING ERRCODE = '54000';
  END IF;
  IF v_rate <> trunc(v_rate) OR v_win <> trunc(v_win) THEN
    RETURN kpi_snapshot_raw(p_from, p_to, p_symbol, p_bucket_s, p_symbols);
  END IF;

  s_lo := kpi_bucket(p_from, 1);
  IF s_lo < p_from THEN s_lo := s_lo + interval '1 second'; END IF;
  s_hi := kpi_bucket(p_to, 1);
  IF s_lo >= s_hi THEN s_lo := p_to; s_hi := p_to; END IF;
  m_lo := kpi_bucket(s_lo, 60);
  IF m_lo < s_lo THEN m_lo := m_lo + interval '1 minute'; END IF;
  m_hi := kpi_bucket(s_hi, 60);
  IF m_lo >= m_hi THEN m_lo := s_hi; m_hi := s_hi; END IF;
  v_by_min := mod(v_bucket::numeric, 60) = 0;
  IF v_by_min THEN x_lo := m_lo; x_hi := m_hi; ELSE x_lo := s_hi; x_hi := s_hi; END IF;

  WITH raw AS MATERIALIZED (
    SELECT symbol, price, volume, traded_at, received_at, consumed_at, written_at
    FROM trades
    WHERE (traded_at >= p_from AND traded_at < s_lo) OR (traded_at >= s_hi AND traded_at < p_to)
  ),
  sec AS MATERIALIZED (
    SELECT symbol, second, trades, volume_sum, price_sum, price_min, price_max
    FROM trades_1s WHERE (second >= s_lo AND second < m_lo) OR (second >= m_hi AND second < s_hi)
  ),
  mins AS MATERIALIZED (
    SELECT symbol, minute, trades, volume_sum, price_sum, price_min, price_max, seconds
    FROM trades_1m WHERE minute >= m_lo AND minute < m_hi
  ),
  per_symbol AS (
    SELECT symbol, sum(trades)::bigint AS trades, sum(volume_sum) / sum(trades) AS avg_volume,
           sum(volume_sum) AS total_volume, sum(price_sum) / sum(trades) AS avg_price,
           min(price_min) AS min_price, max(price_max) AS max_price
    FROM (
      SELECT symbol, trades, volume_sum, price_sum, price_min, price_max FROM mins
      UNION ALL SELECT symbol, trades, volume_sum, price_sum, price_min, price_max FROM sec
      UNION ALL SELECT symbol, 1, volume, price, price, price FROM raw
    ) AS x GROUP BY symbol
  ),
  chosen AS (
    SELECT coalesce(p_symbol, (SELECT symbol FROM per_symbol ORDER BY trades DESC, symbol LIMIT 1)) AS symbol
  ),
  -- trades and volume per (series bucket, symbol): KPI 2, its per-symbol split, and KPI 7
  ser AS MATERIALIZED (
    SELECT b, symbol, sum(n) AS n, sum(v) AS v FROM (
      SELECT kpi_bucket(minute, v_bucket) AS b, symbol, trades AS n, volume_sum AS v FROM mins WHERE v_by_min
      UNION ALL
      SELECT kpi_bucket(second, v_bucket), symbol, trades, volume_sum FROM trades_1s
      WHERE (second >= s_lo AND second < x_lo) OR (second >= x_hi AND second < s_hi)
      UNION ALL SELECT kpi_bucket(traded_at, v_bucket), symbol, 1, volume FROM raw
    ) AS x GROUP BY b, symbol
  ),
  grid AS (
    SELECT b FROM generate_series(kpi_bucket(p_from, v_bucket), p_to - interval '1 microsecond',
                                  make_interval(secs => v_bucket)) AS g(b)
  ),
  rate AS (
    SELECT g.b, coalesce(c.n, 0) AS n
    FROM grid g LEFT JOIN (SELECT b, sum(n) AS n FROM ser GROUP BY b) c ON c.b = g.b
  ),
  sym_rate AS (
    SELECT p.symbol, '[' || string_agg((coalesce(s.n, 0) / v_bucket)::text, ',' ORDER BY g.b) || ']' AS per_second
    FROM per_symbol p CROSS JOIN grid g LEFT JOIN ser s ON s.symbol = p.symbol AND s.b = g.b
    GROUP BY p.symbol
  ),
  vol AS (
    SELECT g.b, coalesce(s.v, 0) AS v, coalesce(s.n, 0) AS n
    FROM grid g LEFT JOIN ser s ON s.b = g.b AND s.symbol = (SELECT symbol FROM chosen)
  ),
  -- (loss bucket, symbol) pairs with a trade inside the window; a minute row covers a bucket when
  -- one of the bucket's seconds in that minute is set in its bitmask.
  pairs AS MATERIALIZED (
    SELECT DISTINCT b, symbol FROM (
      SELECT kpi_bucket(traded_at, v_win) AS b, symbol FROM raw
      UNION ALL SELECT kpi_bucket(second, v_win), symbol FROM sec
      UNION ALL
      SELECT lb.b, m.symbol
      FROM mins m
      CROSS JOIN LATERAL generate_series(kpi_bucket(m.minute, v_win), m.minute + interval '59 seconds',
                                         make_interval(secs => v_win)) AS lb(b)
      CROSS JOIN LATERAL (SELECT date_part('epoch', lb.b - m.minute)::integer AS d) AS o
      WHERE m.seconds & kpi_second_bits(greatest(o.d, 0), least(o.d + v_win::integer, 60)) <> 0
    ) AS x
  ),
  loss_grid AS (
    SELECT b FROM generate_series(kpi_bucket(p_from, v_win), p_to - interval '1 microsecond',
                                  make_interval(secs => v_win)) AS g(b)
  ),
  -- partial: the bucket sticks out of [p_from, p_to), so symbols may have traded in the part not read
  loss AS (
    SELECT g.b, count(p.symbol) AS n, g.b < p_from OR g.b + make_interval(secs => v_win) > p_to AS partial
    FROM loss_grid g LEFT JOIN pairs p ON p.b = g.b GROUP BY g.b
  ),
  missing AS (
    SELECT g.b, array_agg(e.s ORDER BY e.s) AS symbols
    FROM loss_grid g CROSS JOIN (SELECT DISTINCT s FROM unnest(p_symbols) AS u(s) WHERE s IS NOT NULL) AS e
    WHERE NOT EXISTS (SELECT FROM pairs p WHERE p.b = g.b AND p.symbol = e.s)
    GROUP BY g.b
  ),
  -- KPI 8. Histogram rows per series bucket; the summary over the window joins the per-bucket
  -- pipeline below as one more bucket, b = infinity.
  lat_t AS MATERIALIZED (
    SELECT kpi_bucket(minute, v_bucket) AS b, lat_max, hist_key, hist_n, hist_sum FROM latency_1m
    WHERE v_by_min AND minute >= m_lo AND minute < m_hi
    UNION ALL
    SELECT kpi_bucket(second, v_bucket), lat_max, hist_key, hist_n, hist_sum FROM latency_1s
    WHERE (second >= s_lo AND second < x_lo) OR (second >= x_hi AND second < s_hi)
  ),
  lat_raw AS MATERIALIZED (
    SELECT kpi_bucket(t.traded_at, v_bucket) AS b, l.stage * 4096 + 2048 + kpi_lat_key(l.ms) AS key,
           count(*) AS n, sum(l.ms) AS s, max(l.ms) AS mx
    FROM (SELECT traded_at, kpi_ms_between(traded_at, received_at) AS d2,
                 kpi_ms_between(received_at, consumed_at) AS d3, kpi_ms_between(consumed_at, written_at) AS d4
          FROM raw) AS t
    -- as in kpi_rollup_sql(): whole-ms stamps make the sums exact
    CROSS JOIN LATERAL (VALUES (1, t.d2 + t.d3 + t.d4), (2, t.d2), (3, t.d3), (4, t.d4), (5, t.d3 + t.d4)) AS l(stage, ms)
    GROUP BY 1, 2
  ),
  -- Histogram cells per (bucket, key). Unnest in the select list, aggregated right away: twice as
  -- fast as a lateral unnest(a, b, c).
  bcells AS MATERIALIZED (
    SELECT b, key, sum(n) AS n, sum(s) AS s FROM (
      SELECT b, unnest(hist_key) AS key, unnest(hist_n) AS n, unnest(hist_sum) AS s FROM lat_t
      UNION ALL SELECT b, key, n, s FROM lat_raw
    ) AS x GROUP BY b, key
  ),
  -- The summary's cells: the bucket cells added up when they came from minute rows; else the
  -- minute rollups as in 005 are cheaper than thousands of 1 s cells.
  cells AS (
    SELECT b, key / 4096 AS stage, key, n::double precision AS n, s FROM bcells
    UNION ALL
    SELECT timestamptz 'infinity', key / 4096, key, sum(n)::double precision, sum(s) FROM (
      SELECT key, n, s FROM bcells WHERE v_by_min
      UNION ALL
      SELECT unnest(hist_key), unnest(hist_n), unnest(hist_sum) FROM latency_1m
      WHERE NOT v_by_min AND minute >= m_lo AND minute < m_hi
      UNION ALL
      SELECT unnest(hist_key), unnest(hist_n), unnest(hist_sum) FROM latency_1s
      WHERE NOT v_by_min AND ((second >= s_lo AND second < m_lo) OR (second >= m_hi AND second < s_hi))
      UNION ALL SELECT key, n, s FROM lat_raw WHERE NOT v_by_min
    ) AS x GROUP BY key
  ),
  bmaxes AS MATERIALIZED (
    SELECT b, stage, max(mx) AS mx FROM (
      SELECT l.b, u.stage, u.mx FROM lat_t l, unnest(l.lat_max) WITH ORDINALITY AS u(mx, stage)
      UNION ALL SELECT b, key / 4096, mx FROM lat_raw
    ) AS x GROUP BY b, stage
  ),
  maxes AS (
    SELECT b, stage, mx FROM bmaxes
    UNION ALL SELECT timestamptz 'infinity', stage, max(mx) FROM bmaxes GROUP BY stage
  ),
  -- Rank r (0-based) lies in the first cell, by key, whose running count exceeds r; cell means
  -- rise with the key, so that cell's mean is the least mean of all cells past r.
  cum AS (
    SELECT b, stage, n, s, s / n AS mean, sum(n) OVER (PARTITION BY b, stage ORDER BY key) AS upto,
           sum(n) OVER (PARTITION BY b, stage) AS tot
    FROM cells
  ),
  ranks AS (
    SELECT b, stage, tot, sum(s) AS s,
           min(mean) FILTER (WHERE upto > floor(0.5 * (tot - 1))) AS lo50,
           min(mean) FILTER (WHERE upto > ceil(0.5 * (tot - 1))) AS hi50,
           min(mean) FILTER (WHERE upto > floor(0.95 * (tot - 1))) AS lo95,
           min(mean) FILTER (WHERE upto > ceil(0.95 * (tot - 1))) AS hi95,
           min(mean) FILTER (WHERE upto > floor(0.99 * (tot - 1))) AS lo99,
           min(mean) FILTER (WHERE upto > ceil(0.99 * (tot - 1))) AS hi99
    FROM cum GROUP BY b, stage, tot
  ),
  pct AS (
    SELECT b, stage, r.tot AS n, r.s, m.mx, kpi_hist_pct(0.5, r.tot, r.lo50, r.hi50, m.mx) AS p50,
           kpi_hist_pct(0.95, r.tot, r.lo95, r.hi95, m.mx) AS p95, kpi_hist_pct(0.99, r.tot, r.lo99, r.hi99, m.mx) AS p99
    FROM ranks r JOIN maxes m USING (b, stage)
  ),
  st AS (
    SELECT * FROM (VALUES (1, 'trade_to_db'), (2, 'trade_to_kafka'), (3, 'kafka_to_consumer'),
                          (4, 'consumer_to_db'), (5, 'kafka_to_db')) AS s(ord, name)
  ),
  lat AS (
    SELECT st.ord, jsonb_build_object('stage', st.name, 'samples', coalesce(p.n, 0)::bigint,
             'avgMs', p.s / p.n, 'p50Ms', p.p50, 'p95Ms', p.p95, 'p99Ms', p.p99, 'maxMs', p.mx) AS j
    FROM st LEFT JOIN pct p ON p.stage = st.ord AND p.b = 'infinity'
  ),
  trend_b AS (SELECT DISTINCT b FROM pct WHERE b <> 'infinity'),
  trend AS (
    SELECT st.ord, jsonb_build_object('stage', st.name, 'p50Ms', coalesce(x.p50, '[]'::jsonb),
             'p95Ms', coalesce(x.p95, '[]'::jsonb), 'p99Ms', coalesce(x.p99, '[]'::jsonb)) AS j
    FROM st CROSS JOIN LATERAL (
      SELECT jsonb_agg(p.p50 ORDER BY tb.b) AS p50, jsonb_agg(p.p95 ORDER BY tb.b) AS p95,
             jsonb_agg(p.p99 ORDER BY tb.b) AS p99
      FROM trend_b tb LEFT JOIN pct p ON p.b = tb.b AND p.stage = st.ord
    ) AS x
  )
  SELECT jsonb_build_object(
    'from', kpi_ms(p_from),
    'to', kpi_ms(p_to),
    'rateIntervalS', v_rate,
    'bucketS', v_bucket,
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
      -- The long bucket series are built as text and parsed once: 25 % faster than jsonb_agg.
      'buckets', (SELECT ('[' || string_agg('{"start":' || kpi_ms(b) || ',"trades":' || n || ',"perSecond":'
                                            || (n / v_bucket) || '}', ',' ORDER BY b) || ']')::jsonb FROM rate),
      'bySymbol', (SELECT coalesce(jsonb_agg(jsonb_build_object('symbol', symbol, 'perSecond', per_second::jsonb)
                                   ORDER BY symbol), '[]'::jsonb) FROM sym_rate)),
    'dataLoss', jsonb_build_object(
      'lossWindows', (SELECT count(*) FROM loss WHERE n < v_expected AND NOT partial),
      'buckets', (SELECT jsonb_agg(jsonb_build_object(
                    'start', kpi_ms(l.b), 'symbolsSeen', l.n, 'symbolsExpected', v_expected,
                    'symbolsMissing', greatest(v_expected - l.n, 0),
                    'dataLoss', l.n < v_expected AND NOT l.partial, 'partial', l.partial,
                    'missing', coalesce(to_jsonb(m.symbols), '[]'::jsonb)) ORDER BY l.b)
                  FROM loss l LEFT JOIN missing m ON m.b = l.b)),
    'volumeTrend', (
      SELECT jsonb_build_object('symbol', chosen.symbol, 'buckets', CASE WHEN chosen.symbol IS NULL THEN '[]'::jsonb
               ELSE (SELECT ('[' || string_agg('{"start":' || kpi_ms(b) || ',"volume":' || v || ',"trades":' || n || '}',
                                               ',' ORDER BY b) || ']')::jsonb FROM vol) END)
      FROM chosen),
    'latency', (SELECT jsonb_agg(j ORDER BY ord) FROM lat),
    'latencyTrend', jsonb_build_object(
      'start', (SELECT coalesce(jsonb_agg(kpi_ms(b) ORDER BY b), '[]'::jsonb) FROM trend_b),
      'stages', (SELECT jsonb_agg(j ORDER BY ord) FROM trend))
  ) INTO v_result;

  RETURN v_result;
END
$fn$;

COMMENT ON FUNCTION kpi_snapshot(timestamptz, timestamptz, text, integer, text[]) IS
  'All eight KPIs over [p_from, p_to) by traded_at as JSON (see src/shared/kpi.ts), from the rollups of sql/004; '
  'p_symbol picks the volume trend, p_bucket_s widens the series, p_symbols names the missing symbols';
