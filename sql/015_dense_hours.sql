-- Faster history, part two (issue 13: kpi_snapshot over 30 days within 100 ms).
-- After sql/014 the data-loss summary still cast each hour row with a gap of data_loss_window_s
-- seconds or more (max_gap) to 3,600 characters of text, and ran a regex over it to learn whether
-- a whole window of the hour is empty: 380 of 5,768 rows in the bench month, ~0.1 ms each, about a
-- fifth of the 30-day snapshot. Now such a row's windows are found with bit operations: OR-ing the
-- bits shifted by 1, 2, 4, … seconds sets bit i when any second of [i, i + w) had a trade, so the
-- bits at the window starts (0, w, 2w, …) are the windows with a trade. A row is dense when all
-- are set, and the sparse rows' windows are read from the same bits (get_bit, instead of a
-- substring and bit_count per window).
-- The window's ragged ends. Presets of a day or more now start on the whole hour (resolveWindow),
-- and the hour a window ends inside is read from its hour rows when none of its trades is later
-- than the window's end, which holds for a live preset's current hour. The latency trend then merges
-- no minute rows at all: each carries ~200 histogram cells, up to 177 rows per ragged hour.
-- kpi_snapshot() is replaced whole (a plpgsql function is), unchanged but for those parts.

-- Bit i set when any of bits i .. i + w - 1 of b is set (the shifts fill with zeros at the end).
CREATE FUNCTION kpi_window_bits(b bit varying, w integer) RETURNS bit varying
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
AS $fn$
DECLARE
  z bit varying := b;
  covered integer := 1;
BEGIN
  WHILE covered * 2 <= w LOOP
    z := z | (z << covered);
    covered := covered * 2;
  END LOOP;
  -- [i, i + covered) and [i + w - covered, i + w) together cover [i, i + w)
  IF covered < w THEN z := z | (z << (w - covered)); END IF;
  RETURN z;
END
$fn$;

-- An hour's 3,600 bits with bit i set when a window of w seconds starts at i (w divides 3,600).
CREATE FUNCTION kpi_window_starts(w integer) RETURNS bit varying
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN (SELECT string_agg(CASE WHEN i % w = 0 THEN '1' ELSE '0' END, '' ORDER BY i) FROM generate_series(0, 3599) AS i)::bit varying;

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
  -- windows of a day or more: whole hours [h_lo, h_hi) come from the hour rollups (empty otherwise), and
  -- data loss is summarised per v_loss_b bucket instead of one bar per window
  h_lo timestamptz;
  h_hi timestamptz;
  v_use_h boolean;
  v_summary boolean;
  v_loss_b double precision;
  -- the whole hours of the window whose data loss the hour rollups judge (empty: none)
  lh_lo timestamptz;
  lh_hi timestamptz;
  v_unit double precision;
  -- the latency trend's own bucket width: at most 120 trend buckets from a day on (see the header)
  v_trend_b double precision;
  -- bit i set for each window start i of an hour (whole hours only)
  v_starts bit varying;
  v_result jsonb;
BEGIN
  IF p_from IS NULL OR p_to IS NULL OR p_to <= p_from THEN
    RAISE EXCEPTION 'kpi_snapshot needs p_from < p_to, got % and %', p_from, p_to USING ERRCODE = '22023';
  END IF;
  v_seconds := extract(epoch FROM p_to) - extract(epoch FROM p_from);
  v_summary := v_seconds >= 86400;
  -- a summary has no bar per data-loss window: only the series buckets count
  v_unit := CASE WHEN v_summary THEN v_bucket ELSE least(v_bucket, v_win) END;
  v_trend_b := CASE WHEN v_summary THEN v_bucket * greatest(1, ceil(v_seconds / v_bucket / 120)) ELSE v_bucket END;
  IF v_seconds / v_unit > 100000 THEN
    RAISE EXCEPTION 'kpi_snapshot window of % s holds more than 100000 buckets of % s', v_seconds, v_unit
      USING ERRCODE = '54000';
  END IF;
  IF v_rate <> trunc(v_rate) OR v_win <> trunc(v_win) THEN
    -- its trend keeps the series' buckets, which latencyTrend.bucketS then leaves out
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
  -- Hour rows only when the series buckets are whole hours: a bucket then never cuts an hour row.
  v_use_h := v_summary AND mod(v_bucket::numeric, 3600) = 0;
  h_lo := kpi_bucket(m_lo, 3600);
  IF h_lo < m_lo THEN h_lo := h_lo + interval '1 hour'; END IF;
  h_hi := kpi_bucket(m_hi, 3600);
  IF NOT v_use_h OR h_lo >= h_hi THEN h_lo := m_hi; h_hi := m_hi; END IF;
  -- An hour that the window ends inside, with no trade at or after the end (a live preset's current
  -- hour, as a rule): its hour rows hold just the window's part of it, so they serve it too.
  IF v_use_h AND h_lo < h_hi AND h_hi < p_to AND s_hi = p_to AND NOT EXISTS (
       SELECT FROM trades_1h WHERE hour = h_hi
         AND bit_count(substring(seconds FROM date_part('epoch', p_to - h_hi)::integer + 1)) > 0) THEN
    h_hi := h_hi + interval '1 hour';
    -- no minute, 1 s or raw rows after the hour rows
    m_hi := h_hi;
    s_hi := h_hi;
    x_hi := h_hi;
  END IF;
  -- whole hours, so an hour's windows all fall in one summary bucket; at most 120 of them
  v_loss_b := 3600 * ceil(greatest(v_bucket, 3600, v_seconds / 120) / 3600);
  lh_lo := kpi_bucket(p_from, 3600);
  IF lh_lo < p_from THEN lh_lo := lh_lo + interval '1 hour'; END IF;
  lh_hi := kpi_bucket(p_to, 3600);
  -- a width that does not divide an hour has windows across hours: all go by the minute rollups
  IF NOT v_summary OR mod(3600, v_win::integer) <> 0 OR lh_lo >= lh_hi THEN lh_lo := m_hi; lh_hi := m_hi; END IF;
  IF lh_lo < lh_hi THEN v_starts := kpi_window_starts(v_win::integer); END IF;

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
    FROM trades_1m WHERE (minute >= m_lo AND minute < h_lo) OR (minute >= h_hi AND minute < m_hi)
  ),
  hours AS MATERIALIZED (
    SELECT symbol, hour, trades, volume_sum, price_sum, price_min, price_max
    FROM trades_1h WHERE hour >= h_lo AND hour < h_hi
  ),
  per_symbol AS (
    SELECT symbol, sum(trades)::bigint AS trades, sum(volume_sum) / sum(trades) AS avg_volume,
           sum(volume_sum) AS total_volume, sum(price_sum) / sum(trades) AS avg_price,
           min(price_min) AS min_price, max(price_max) AS max_price
    FROM (
      SELECT symbol, trades, volume_sum, price_sum, price_min, price_max FROM hours
      UNION ALL SELECT symbol, trades, volume_sum, price_sum, price_min, price_max FROM mins
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
      SELECT kpi_bucket(hour, v_bucket) AS b, symbol, trades AS n, volume_sum AS v FROM hours
      UNION ALL SELECT kpi_bucket(minute, v_bucket), symbol, trades, volume_sum FROM mins WHERE v_by_min
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
    WHERE NOT v_summary
  ),
  loss_grid AS (
    SELECT b FROM generate_series(kpi_bucket(p_from, v_win), p_to - interval '1 microsecond',
                                  make_interval(secs => v_win)) AS g(b)
    WHERE NOT v_summary
  ),
  -- Windows of a day or more. Whole hours [lh_lo, lh_hi) are judged from trades_1h: a row without a run
  -- of v_win zero bits has a trade in each of the hour's windows (dense); the others are cut into
  -- windows. The rest of the window (less than an hour at each end) goes by (window, symbol) pairs
  -- from the per-second bitmasks of the minute rollups, then 1 s rollups and raw trades.
  -- dense: no run of v_win zeros at all (max_gap, kept with the row), or a trade in each window
  -- (kpi_window_bits, only for the rest)
  hd AS MATERIALIZED (
    SELECT hour, symbol, wb IS NULL OR (wb & v_starts) = v_starts AS dense, wb FROM (
      SELECT hour, symbol, CASE WHEN max_gap >= v_win THEN kpi_window_bits(seconds, v_win::integer) END AS wb
      FROM trades_1h WHERE hour >= lh_lo AND hour < lh_hi
      -- not flattened: the function would be called once per use of wb
      OFFSET 0
    ) AS t
  ),
  hsparse AS MATERIALIZED (SELECT hour, symbol, wb FROM hd WHERE NOT dense),
  hpairs AS MATERIALIZED (
    SELECT h.hour, h.hour + make_interval(secs => k.i * v_win) AS b, h.symbol
    FROM hsparse AS h CROSS JOIN generate_series(0, 3600 / v_win::integer - 1) AS k(i)
    WHERE get_bit(h.wb, k.i * v_win::integer) = 1
  ),
  -- per hour, its windows with at least symbols_subscribed symbols (n): all of them when enough
  -- symbols are dense, else those where the sparse ones make up the difference; and its windows
  -- with a trade at all (a)
  hok AS (
    SELECT d.hour, CASE WHEN d.dn >= v_expected THEN 3600 / v_win::integer
                        ELSE count(c.b) FILTER (WHERE c.n >= v_expected - d.dn) END AS n,
           CASE WHEN d.dn >= 1 THEN 3600 / v_win::integer ELSE count(c.b) END AS a
    FROM (SELECT hour, count(*) FILTER (WHERE dense) AS dn FROM hd GROUP BY hour) AS d
    LEFT JOIN (SELECT hour, b, count(*) AS n FROM hpairs GROUP BY hour, b) AS c USING (hour)
    GROUP BY d.hour, d.dn
  ),
  -- per hour and symbol, the windows with a trade of it
  hsym AS (
    SELECT hour, symbol, 3600 / v_win::integer AS n FROM hd WHERE dense
    UNION ALL SELECT hour, symbol, count(*) FROM hpairs GROUP BY hour, symbol
  ),
  spairs AS MATERIALIZED (
    SELECT b, symbol FROM (
      -- the edges may see one window twice (raw and 1 s rows); minute rows name each pair once
      SELECT DISTINCT b, symbol FROM (
        SELECT kpi_bucket(traded_at, v_win) AS b, symbol FROM raw
        UNION ALL SELECT kpi_bucket(second, v_win), symbol FROM sec
      ) AS e WHERE mod(60, v_win::integer) = 0
      UNION ALL
      SELECT m.minute + make_interval(secs => k.i * v_win), m.symbol
      FROM trades_1m m CROSS JOIN generate_series(0, 60 / v_win::integer - 1) AS k(i)
      WHERE mod(60, v_win::integer) = 0
        AND ((m.minute >= m_lo AND m.minute < lh_lo) OR (m.minute >= lh_hi AND m.minute < m_hi))
        AND m.seconds & kpi_second_bits(k.i * v_win::integer, (k.i + 1) * v_win::integer) <> 0
      UNION ALL
      -- whole minutes, or any other width: the general route of `pairs`
      SELECT DISTINCT b, symbol FROM (
        SELECT kpi_bucket(traded_at, v_win) AS b, symbol FROM raw
        UNION ALL SELECT kpi_bucket(second, v_win), symbol FROM sec
        UNION ALL
        SELECT lb.b, m.symbol
        FROM trades_1m m
        CROSS JOIN LATERAL generate_series(kpi_bucket(m.minute, v_win), m.minute + interval '59 seconds',
                                           make_interval(secs => v_win)) AS lb(b)
        CROSS JOIN LATERAL (SELECT date_part('epoch', lb.b - m.minute)::integer AS d) AS o
        WHERE ((m.minute >= m_lo AND m.minute < lh_lo) OR (m.minute >= lh_hi AND m.minute < m_hi))
          AND m.seconds & kpi_second_bits(greatest(o.d, 0), least(o.d + v_win::integer, 60)) <> 0
      ) AS g WHERE mod(60, v_win::integer) <> 0
    ) AS x
    WHERE v_summary AND b >= p_from AND b + make_interval(secs => v_win) <= p_to
      AND NOT (b >= lh_lo AND b < lh_hi)
  ),
  -- Per summary bucket: its whole windows (window starts are multiples of v_win since the epoch),
  -- those with at least symbols_subscribed symbols, and each symbol's windows.
  sgrid AS MATERIALIZED (
    SELECT g.b, greatest(0, least(floor(extract(epoch FROM p_to) / v_win::numeric) - 1,
                                  ceil(extract(epoch FROM g.b + make_interval(secs => v_loss_b)) / v_win::numeric) - 1)
                            - ceil(extract(epoch FROM greatest(g.b, p_from)) / v_win::numeric) + 1)::bigint AS windows
    FROM generate_series(kpi_bucket(p_from, v_loss_b), p_to - interval '1 microsecond',
                         make_interval(secs => v_loss_b)) AS g(b)
    WHERE v_summary
  ),
  sfull AS (
    SELECT b, sum(n) AS n, sum(a) AS a FROM (
      SELECT kpi_bucket(b, v_loss_b) AS b, count(*) FILTER (WHERE n >= v_expected) AS n, count(*) AS a
      FROM (SELECT b, count(*) AS n FROM spairs GROUP BY b) AS x GROUP BY 1
      UNION ALL SELECT kpi_bucket(hour, v_loss_b), n, a FROM hok
    ) AS y GROUP BY b
  ),
  ssym AS MATERIALIZED (
    SELECT b, symbol, sum(n) AS n FROM (
      SELECT kpi_bucket(b, v_loss_b) AS b, symbol, count(*) AS n FROM spairs GROUP BY 1, 2
      UNION ALL SELECT kpi_bucket(hour, v_loss_b), symbol, n FROM hsym
    ) AS y GROUP BY b, symbol
  ),
  -- a symbol is missing when some window with trades had none of it
  smiss AS (
    SELECT f.b, jsonb_agg(e.s ORDER BY e.s) AS missing
    FROM sfull f CROSS JOIN (SELECT DISTINCT s FROM unnest(p_symbols) AS u(s) WHERE s IS NOT NULL) AS e
    LEFT JOIN ssym y ON y.b = f.b AND y.symbol = e.s
    WHERE coalesce(y.n, 0) < f.a
    GROUP BY f.b
  ),
  -- A window without a single trade is idle (the pipeline did not run), as the renderer's
  -- judgeWindow has it; short windows are those with trades, but too few symbols.
  summary AS MATERIALIZED (
    SELECT g.b, g.windows, g.windows - coalesce(f.a, 0) AS idle, coalesce(f.a - f.n, 0) AS short,
           coalesce(m.missing, '[]'::jsonb) AS missing
    FROM sgrid g LEFT JOIN sfull f ON f.b = g.b LEFT JOIN smiss m ON m.b = g.b
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
  -- KPI 8. Histogram rows per trend bucket (v_trend_b); the summary over the window joins the
  -- per-bucket pipeline below as one more bucket, b = infinity.
  lat_t AS MATERIALIZED (
    SELECT kpi_bucket(hour, v_trend_b) AS b, lat_max, hist_key, hist_n, hist_sum, true AS coarse FROM latency_1h
    WHERE hour >= h_lo AND hour < h_hi
    UNION ALL
    SELECT kpi_bucket(minute, v_trend_b), lat_max, hist_key, hist_n, hist_sum, false FROM latency_1m
    WHERE v_by_min AND ((minute >= m_lo AND minute < h_lo) OR (minute >= h_hi AND minute < m_hi))
    UNION ALL
    SELECT kpi_bucket(second, v_trend_b), lat_max, hist_key, hist_n, hist_sum, false FROM latency_1s
    WHERE (second >= s_lo AND second < x_lo) OR (second >= x_hi AND second < s_hi)
  ),
  lat_raw AS MATERIALIZED (
    SELECT kpi_bucket(t.traded_at, v_trend_b) AS b, l.stage * 4096 + 2048 + kpi_lat_key(l.ms) AS key,
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
  -- With hour rows, the other cells are coarsened as theirs are.
  bcells AS MATERIALIZED (
    SELECT b, key, sum(n) AS n, sum(s) AS s FROM (
      SELECT b, unnest(hist_key) AS key, unnest(hist_n) AS n, unnest(hist_sum) AS s FROM lat_t WHERE coarse OR NOT v_use_h
      UNION ALL
      SELECT b, kpi_lat_coarse(key), n, s FROM (
        SELECT b, unnest(hist_key) AS key, unnest(hist_n) AS n, unnest(hist_sum) AS s FROM lat_t WHERE NOT coarse AND v_use_h
        UNION ALL SELECT b, key, n, s FROM lat_raw WHERE v_use_h
      ) AS f
      UNION ALL SELECT b, key, n, s FROM lat_raw WHERE NOT v_use_h
    ) AS x GROUP BY 1, 2
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
      'lossWindows', CASE WHEN v_summary THEN (SELECT coalesce(sum(short), 0)::bigint FROM summary)
                     ELSE (SELECT count(*) FROM loss WHERE n < v_expected AND NOT partial) END,
      'buckets', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                    'start', kpi_ms(l.b), 'symbolsSeen', l.n, 'symbolsExpected', v_expected,
                    'symbolsMissing', greatest(v_expected - l.n, 0),
                    'dataLoss', l.n < v_expected AND NOT l.partial, 'partial', l.partial,
                    'missing', coalesce(to_jsonb(m.symbols), '[]'::jsonb)) ORDER BY l.b), '[]'::jsonb)
                  FROM loss l LEFT JOIN missing m ON m.b = l.b))
      -- only for windows of a day or more, whose buckets are then empty
      || CASE WHEN v_summary THEN jsonb_build_object('summary', jsonb_build_object('bucketS', v_loss_b, 'buckets', (
           SELECT coalesce(jsonb_agg(jsonb_build_object('start', kpi_ms(b), 'windows', windows,
                    'idleWindows', idle, 'shortWindows', short, 'missing', missing) ORDER BY b), '[]'::jsonb)
           FROM summary))) ELSE '{}'::jsonb END,
    'volumeTrend', (
      SELECT jsonb_build_object('symbol', chosen.symbol, 'buckets', CASE WHEN chosen.symbol IS NULL THEN '[]'::jsonb
               ELSE (SELECT ('[' || string_agg('{"start":' || kpi_ms(b) || ',"volume":' || v || ',"trades":' || n || '}',
                                               ',' ORDER BY b) || ']')::jsonb FROM vol) END)
      FROM chosen),
    'latency', (SELECT jsonb_agg(j ORDER BY ord) FROM lat),
    'latencyTrend', jsonb_build_object(
      'bucketS', v_trend_b,
      'start', (SELECT coalesce(jsonb_agg(kpi_ms(b) ORDER BY b), '[]'::jsonb) FROM trend_b),
      'stages', (SELECT jsonb_agg(j ORDER BY ord) FROM trend))
  ) INTO v_result;

  RETURN v_result;
END
$fn$;

COMMENT ON FUNCTION kpi_snapshot(timestamptz, timestamptz, text, integer, text[]) IS
  'All eight KPIs over [p_from, p_to) by traded_at as JSON (see src/shared/kpi.ts), from the rollups of sql/004 '
  'and, from a day on, sql/012 (the data-loss summary and trend widths as in sql/014, dense hours as in sql/015); '
  'p_symbol picks the volume trend, p_bucket_s widens the series, p_symbols names the missing symbols';
