-- Candles per symbol (issue 16, part 4): OHLC, volume and VWAP of one symbol per series bucket.
--
-- The rollups trades_1s/1m/1h gain each bucket's first and last trade by trade time, and the sum of
-- price * volume:
--   first_at, first_price   the bucket's earliest trade (its open)
--   last_at, last_price     its latest trade (its close)
--   pv_sum                  sum(price * volume), so VWAP = pv_sum / volume_sum
-- High and low are price_max and price_min, volume is volume_sum: already there.
--
-- Order of trades in a bucket: by traded_at, and on an equal traded_at (one millisecond) by price,
-- the lower one first: the open is the lowest price of the earliest millisecond, the close the
-- highest of the latest. Trades of one millisecond have no order of their own; trade_key (a hash of
-- the identity) would be as arbitrary and would cost every rollup row two more bigints to merge by.
-- With (traded_at, price) a row holds all it needs to merge, and the result is one value whatever
-- the order of batches: "earliest wins" and "latest wins" are min and max over (traded_at, price),
-- which are associative and commutative, so a late trade in a later batch, a redelivery (never in
-- the transition table), a concurrent writer and kpi_rollup_rebuild() all give what an aggregate
-- over the raw trades gives. The statement works on kpi_price_mark(), the pair as one float8[2]
-- (ms epoch, price), whose min/max is exactly that order.
--
-- Upgrade: rows made before this migration get first/last/pv_sum from the raw trades where all of
-- the row's trades are still stored (their count equals the row's), in one statement below. Older
-- rollup rows, whose days retention dropped, keep NULL: their open and close are unknown. A bucket
-- with such a row has open, close (and VWAP) null in kpi_candles(): the chart draws a gap there,
-- never a made-up candle; its high, low, volume and trade count stay exact. A late trade merged into
-- such a row leaves it unknown (NULL compares as neither earlier nor later, and NULL + x is NULL).
--
-- Every path that rebuilds rollups goes through kpi_rollup_sql() (the triggers, kpi_rollup_rebuild());
-- retention only deletes rollup rows (src/main/postgres/rollup-retention.ts) and day compaction only
-- reindexes raw days, so neither needs to know the new columns.
--
-- kpi_candles() is its own function, not a part of kpi_snapshot(): the snapshot code
-- (src/main/kpi/snapshot.ts) calls it beside kpi_snapshot() for the snapshot's symbol and bucket.

-- The order key of a trade within a bucket: (ms epoch, price), compared as an array. Both helpers
-- must stay inlinable (sql/002): only immutable parts, so date_part() of an interval, not of the
-- timestamptz (stable), and to_timestamp(), not timestamptz + interval (stable). Called, not inlined,
-- they cost the writer's per-second aggregate about 2 µs a trade; inlined, under 1 µs.
CREATE FUNCTION kpi_price_mark(ts timestamptz, price double precision) RETURNS double precision[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ARRAY[round(date_part('epoch', ts - timestamptz '1970-01-01 00:00:00+00') * 1000), price];

-- The time of a kpi_price_mark(): whole ms, which to_timestamp() rounds to exactly.
CREATE FUNCTION kpi_mark_at(m double precision[]) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN to_timestamp(m[1] / 1000);

-- Nullable: NULL is "unknown" for rows older than this migration whose trades are gone (above).
-- Adding nullable columns without a default rewrites no table.
ALTER TABLE trades_1s ADD COLUMN first_at timestamptz, ADD COLUMN first_price double precision,
  ADD COLUMN last_at timestamptz, ADD COLUMN last_price double precision, ADD COLUMN pv_sum double precision;
ALTER TABLE trades_1m ADD COLUMN first_at timestamptz, ADD COLUMN first_price double precision,
  ADD COLUMN last_at timestamptz, ADD COLUMN last_price double precision, ADD COLUMN pv_sum double precision;
ALTER TABLE trades_1h ADD COLUMN first_at timestamptz, ADD COLUMN first_price double precision,
  ADD COLUMN last_at timestamptz, ADD COLUMN last_price double precision, ADD COLUMN pv_sum double precision;

-- sql/012's statement, with first/last and pv_sum in the three trades_* upserts (the latency parts
-- unchanged). kpi_rollup_rebuild() and the triggers call it by name, so they carry the new columns.
-- The upserts merge first/last alike (%2$s): the earlier (traded_at, price) wins the first, the later
-- one the last.
CREATE OR REPLACE FUNCTION kpi_rollup_sql(p_src text) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN format($q$
WITH s AS MATERIALIZED (
  SELECT symbol, kpi_bucket(traded_at, 1) AS second, count(*)::integer AS trades, sum(volume) AS volume_sum,
         sum(price) AS price_sum, min(price) AS price_min, max(price) AS price_max,
         min(kpi_price_mark(traded_at, price)) AS f, max(kpi_price_mark(traded_at, price)) AS l,
         sum(price * volume) AS pv_sum
  FROM %1$s AS t GROUP BY 1, 2
),
c AS MATERIALIZED (
  SELECT t.second, t.kafka_topic, t.kafka_partition,
         l.stage * 4096 + 2048 + kpi_lat_key(l.ms) AS key, count(*)::integer AS n, sum(l.ms) AS s, max(l.ms) AS mx
  FROM (SELECT kpi_bucket(traded_at, 1) AS second, kafka_topic, kafka_partition,
               kpi_ms_between(traded_at, received_at) AS d2, kpi_ms_between(received_at, consumed_at) AS d3,
               kpi_ms_between(consumed_at, written_at) AS d4
        FROM %1$s AS src OFFSET 0) AS t
  CROSS JOIN LATERAL (VALUES (1, t.d2 + t.d3 + t.d4), (2, t.d2), (3, t.d3), (4, t.d4), (5, t.d3 + t.d4)) AS l(stage, ms)
  GROUP BY 1, 2, 3, 4
),
c60 AS MATERIALIZED (
  SELECT kpi_bucket(second, 60) AS minute, kafka_topic, kafka_partition, key,
         sum(n)::integer AS n, sum(s) AS s, max(mx) AS mx
  FROM c GROUP BY 1, 2, 3, 4
),
u1 AS (
  INSERT INTO trades_1s AS r (symbol, second, trades, volume_sum, price_sum, price_min, price_max,
                              first_at, first_price, last_at, last_price, pv_sum)
  SELECT symbol, second, trades, volume_sum, price_sum, price_min, price_max,
         kpi_mark_at(f), f[2], kpi_mark_at(l), l[2], pv_sum
  FROM s ORDER BY symbol, second
  ON CONFLICT (symbol, second) DO UPDATE SET trades = r.trades + excluded.trades,
    volume_sum = r.volume_sum + excluded.volume_sum, price_sum = r.price_sum + excluded.price_sum,
    price_min = least(r.price_min, excluded.price_min), price_max = greatest(r.price_max, excluded.price_max), %2$s
),
u2 AS (
  INSERT INTO trades_1m AS r (minute, symbol, trades, volume_sum, price_sum, price_min, price_max, seconds,
                              first_at, first_price, last_at, last_price, pv_sum)
  SELECT minute, symbol, trades, volume_sum, price_sum, price_min, price_max, seconds,
         kpi_mark_at(f), f[2], kpi_mark_at(l), l[2], pv_sum
  FROM (SELECT kpi_bucket(second, 60) AS minute, symbol, sum(trades) AS trades, sum(volume_sum) AS volume_sum,
               sum(price_sum) AS price_sum, min(price_min) AS price_min, max(price_max) AS price_max,
               bit_or(1::bigint << date_part('epoch', second - kpi_bucket(second, 60))::integer) AS seconds,
               min(f) AS f, max(l) AS l, sum(pv_sum) AS pv_sum
        FROM s GROUP BY 1, 2) AS m
  ORDER BY 1, 2
  ON CONFLICT (minute, symbol) DO UPDATE SET trades = r.trades + excluded.trades,
    volume_sum = r.volume_sum + excluded.volume_sum, price_sum = r.price_sum + excluded.price_sum,
    price_min = least(r.price_min, excluded.price_min), price_max = greatest(r.price_max, excluded.price_max),
    seconds = r.seconds | excluded.seconds, %2$s
),
u3 AS (
  INSERT INTO latency_1s AS r (second, kafka_topic, kafka_partition, trades, lat_max, hist_key, hist_n, hist_sum)
  SELECT second, kafka_topic, kafka_partition, sum(n) FILTER (WHERE key / 4096 = 1),
         ARRAY[max(mx) FILTER (WHERE key / 4096 = 1), max(mx) FILTER (WHERE key / 4096 = 2),
               max(mx) FILTER (WHERE key / 4096 = 3), max(mx) FILTER (WHERE key / 4096 = 4),
               max(mx) FILTER (WHERE key / 4096 = 5)],
         array_agg(key ORDER BY key), array_agg(n ORDER BY key), array_agg(s ORDER BY key)
  FROM c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (second, kafka_topic, kafka_partition) DO UPDATE SET trades = r.trades + excluded.trades,
    lat_max = kpi_greatest(r.lat_max, excluded.lat_max),
    (hist_key, hist_n, hist_sum) = (SELECT m.hist_key, m.hist_n, m.hist_sum FROM kpi_hist_merge(
      r.hist_key, r.hist_n, r.hist_sum, excluded.hist_key, excluded.hist_n, excluded.hist_sum) AS m)
),
u5 AS (
  INSERT INTO trades_1h AS r (hour, symbol, trades, volume_sum, price_sum, price_min, price_max, seconds,
                              first_at, first_price, last_at, last_price, pv_sum)
  SELECT hour, symbol, trades, volume_sum, price_sum, price_min, price_max, seconds,
         kpi_mark_at(f), f[2], kpi_mark_at(l), l[2], pv_sum
  FROM (SELECT kpi_bucket(second, 3600) AS hour, symbol, sum(trades) AS trades, sum(volume_sum) AS volume_sum,
               sum(price_sum) AS price_sum, min(price_min) AS price_min, max(price_max) AS price_max,
               bit_or(kpi_hour_bit(date_part('epoch', second - kpi_bucket(second, 3600))::integer)) AS seconds,
               min(f) AS f, max(l) AS l, sum(pv_sum) AS pv_sum
        FROM s GROUP BY 1, 2) AS h
  ORDER BY 1, 2
  ON CONFLICT (hour, symbol) DO UPDATE SET trades = r.trades + excluded.trades,
    volume_sum = r.volume_sum + excluded.volume_sum, price_sum = r.price_sum + excluded.price_sum,
    price_min = least(r.price_min, excluded.price_min), price_max = greatest(r.price_max, excluded.price_max),
    seconds = r.seconds | excluded.seconds, %2$s
),
u6 AS (
  INSERT INTO latency_1h AS r (hour, kafka_topic, trades, lat_max, hist_key, hist_n, hist_sum)
  SELECT hour, kafka_topic, sum(n) FILTER (WHERE key / 4096 = 1),
         ARRAY[max(mx) FILTER (WHERE key / 4096 = 1), max(mx) FILTER (WHERE key / 4096 = 2),
               max(mx) FILTER (WHERE key / 4096 = 3), max(mx) FILTER (WHERE key / 4096 = 4),
               max(mx) FILTER (WHERE key / 4096 = 5)],
         array_agg(key ORDER BY key), array_agg(n ORDER BY key), array_agg(s ORDER BY key)
  FROM (SELECT kpi_bucket(minute, 3600) AS hour, kafka_topic, kpi_lat_coarse(key) AS key,
               sum(n)::integer AS n, sum(s) AS s, max(mx) AS mx
        FROM c60 GROUP BY 1, 2, 3) AS h
  GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (hour, kafka_topic) DO UPDATE SET trades = r.trades + excluded.trades,
    lat_max = kpi_greatest(r.lat_max, excluded.lat_max),
    (hist_key, hist_n, hist_sum) = (SELECT m.hist_key, m.hist_n, m.hist_sum FROM kpi_hist_merge(
      r.hist_key, r.hist_n, r.hist_sum, excluded.hist_key, excluded.hist_n, excluded.hist_sum) AS m)
)
INSERT INTO latency_1m AS r (minute, kafka_topic, kafka_partition, trades, lat_max, hist_key, hist_n, hist_sum,
                              second_trades)
SELECT c60.minute, c60.kafka_topic, c60.kafka_partition, sum(n) FILTER (WHERE key / 4096 = 1),
       ARRAY[max(mx) FILTER (WHERE key / 4096 = 1), max(mx) FILTER (WHERE key / 4096 = 2),
             max(mx) FILTER (WHERE key / 4096 = 3), max(mx) FILTER (WHERE key / 4096 = 4),
             max(mx) FILTER (WHERE key / 4096 = 5)],
       array_agg(key ORDER BY key), array_agg(n ORDER BY key), array_agg(s ORDER BY key), min(ps.counts)
FROM c60 JOIN (
  SELECT kpi_bucket(second, 60) AS minute, kafka_topic, kafka_partition,
         kpi_second_counts(array_agg(date_part('epoch', second - kpi_bucket(second, 60))::integer), array_agg(n)) AS counts
  FROM (SELECT second, kafka_topic, kafka_partition, sum(n)::integer AS n FROM c WHERE key / 4096 = 1 GROUP BY 1, 2, 3) AS c1
  GROUP BY 1, 2, 3
) AS ps USING (minute, kafka_topic, kafka_partition)
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
ON CONFLICT (minute, kafka_topic, kafka_partition) DO UPDATE SET trades = r.trades + excluded.trades,
  second_trades = kpi_int_add(r.second_trades, excluded.second_trades),
  lat_max = kpi_greatest(r.lat_max, excluded.lat_max),
  (hist_key, hist_n, hist_sum) = (SELECT m.hist_key, m.hist_n, m.hist_sum FROM kpi_hist_merge(
    r.hist_key, r.hist_n, r.hist_sum, excluded.hist_key, excluded.hist_n, excluded.hist_sum) AS m)
$q$, p_src, $m$
    first_at = CASE WHEN (excluded.first_at, excluded.first_price) < (r.first_at, r.first_price)
                    THEN excluded.first_at ELSE r.first_at END,
    first_price = CASE WHEN (excluded.first_at, excluded.first_price) < (r.first_at, r.first_price)
                       THEN excluded.first_price ELSE r.first_price END,
    last_at = CASE WHEN (excluded.last_at, excluded.last_price) > (r.last_at, r.last_price)
                   THEN excluded.last_at ELSE r.last_at END,
    last_price = CASE WHEN (excluded.last_at, excluded.last_price) > (r.last_at, r.last_price)
                      THEN excluded.last_price ELSE r.last_price END,
    pv_sum = r.pv_sum + excluded.pv_sum$m$);


-- Backfill from the raw trades, per (symbol, second), then its minutes and hours; a row is filled
-- only when the raw trades still hold all of its trades (retention drops whole days, so in practice
-- a row has all of its trades or none).
WITH a AS MATERIALIZED (
  SELECT symbol, kpi_bucket(traded_at, 1) AS second, count(*) AS trades,
         min(kpi_price_mark(traded_at, price)) AS f, max(kpi_price_mark(traded_at, price)) AS l,
         sum(price * volume) AS pv_sum
  FROM trades GROUP BY 1, 2
),
u1 AS (
  UPDATE trades_1s r SET first_at = kpi_mark_at(a.f), first_price = a.f[2], last_at = kpi_mark_at(a.l),
    last_price = a.l[2], pv_sum = a.pv_sum
  FROM a WHERE r.symbol = a.symbol AND r.second = a.second AND r.trades = a.trades
),
u2 AS (
  UPDATE trades_1m r SET first_at = kpi_mark_at(m.f), first_price = m.f[2], last_at = kpi_mark_at(m.l),
    last_price = m.l[2], pv_sum = m.pv_sum
  FROM (SELECT kpi_bucket(second, 60) AS minute, symbol, sum(trades) AS trades, min(f) AS f, max(l) AS l,
               sum(pv_sum) AS pv_sum
        FROM a GROUP BY 1, 2) AS m
  WHERE r.minute = m.minute AND r.symbol = m.symbol AND r.trades = m.trades
)
UPDATE trades_1h r SET first_at = kpi_mark_at(h.f), first_price = h.f[2], last_at = kpi_mark_at(h.l),
  last_price = h.l[2], pv_sum = h.pv_sum
FROM (SELECT kpi_bucket(second, 3600) AS hour, symbol, sum(trades) AS trades, min(f) AS f, max(l) AS l,
             sum(pv_sum) AS pv_sum
      FROM a GROUP BY 1, 2) AS h
WHERE r.hour = h.hour AND r.symbol = h.symbol AND r.trades = h.trades;

-- One symbol's candles over [p_from, p_to) in buckets of p_bucket_s (aligned to the epoch, as every
-- series of kpi_snapshot()), only the buckets with trades, as JSON (src/shared/kpi.ts, candlesSchema).
-- Each part of the window comes from the coarsest rollup whose rows the buckets do not cut, as in
-- kpi_snapshot(): hour rows for whole hours when the buckets are whole hours, minute rows likewise,
-- 1 s rows, and the raw trades for the sub-second edges (or all of the window for a width that is
-- not whole seconds). All of them are read by their primary key's range, one symbol at a time.
--   open, close   the first and last trade's price (see the header); null when a row in the bucket
--                 predates this migration and lost its trades
--   high, low     price_max, price_min; volume, trades: sums
--   vwap          sum(price * volume) / sum(volume); with a total volume of 0 (FX and crypto price
--                 updates carry none) the plain mean price, the limit of equal weights, so a symbol
--                 that never has volume still gets a line; null when unknown, as open and close
CREATE FUNCTION kpi_candles(p_symbol text, p_from timestamptz, p_to timestamptz, p_bucket_s double precision)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path FROM CURRENT
SET jit = off
-- which tiers and ranges are read depends on the window and bucket: plan with the actual values
SET plan_cache_mode = force_custom_plan
AS $fn$
DECLARE
  v_seconds double precision;
  s_lo timestamptz;
  s_hi timestamptz;
  m_lo timestamptz;
  m_hi timestamptz;
  h_lo timestamptz;
  h_hi timestamptz;
  v_buckets jsonb;
BEGIN
  IF p_from IS NULL OR p_to IS NULL OR p_to <= p_from THEN
    RAISE EXCEPTION 'kpi_candles needs p_from < p_to, got % and %', p_from, p_to USING ERRCODE = '22023';
  END IF;
  IF p_bucket_s IS NULL OR NOT p_bucket_s >= 0.001 THEN
    RAISE EXCEPTION 'kpi_candles needs a bucket of at least 1 ms, got % s', p_bucket_s USING ERRCODE = '22023';
  END IF;
  v_seconds := extract(epoch FROM p_to) - extract(epoch FROM p_from);
  IF v_seconds / p_bucket_s > 100000 THEN
    RAISE EXCEPTION 'kpi_candles window of % s holds more than 100000 buckets of % s', v_seconds, p_bucket_s
      USING ERRCODE = '54000';
  END IF;
  IF p_symbol IS NULL THEN
    RETURN jsonb_build_object('symbol', NULL, 'bucketS', p_bucket_s, 'buckets', '[]'::jsonb);
  END IF;

  -- raw trades over [p_from, s_lo) and [s_hi, p_to); 1 s rows over [s_lo, m_lo) and [m_hi, s_hi);
  -- minute rows over [m_lo, h_lo) and [h_hi, m_hi); hour rows over [h_lo, h_hi)
  s_lo := kpi_bucket(p_from, 1);
  IF s_lo < p_from THEN s_lo := s_lo + interval '1 second'; END IF;
  s_hi := kpi_bucket(p_to, 1);
  IF mod(p_bucket_s::numeric, 1) <> 0 OR s_lo >= s_hi THEN s_lo := p_to; s_hi := p_to; END IF;
  m_lo := kpi_bucket(s_lo, 60);
  IF m_lo < s_lo THEN m_lo := m_lo + interval '1 minute'; END IF;
  m_hi := kpi_bucket(s_hi, 60);
  IF mod(p_bucket_s::numeric, 60) <> 0 OR m_lo >= m_hi THEN m_lo := s_hi; m_hi := s_hi; END IF;
  h_lo := kpi_bucket(m_lo, 3600);
  IF h_lo < m_lo THEN h_lo := h_lo + interval '1 hour'; END IF;
  h_hi := kpi_bucket(m_hi, 3600);
  IF mod(p_bucket_s::numeric, 3600) <> 0 OR h_lo >= h_hi THEN h_lo := m_hi; h_hi := m_hi; END IF;

  WITH parts AS (
    SELECT kpi_bucket(traded_at, p_bucket_s) AS b, 1 AS n, volume AS v, price AS ps, price AS lo, price AS hi,
           kpi_price_mark(traded_at, price) AS f, kpi_price_mark(traded_at, price) AS l, price * volume AS pv
    FROM trades
    WHERE symbol = p_symbol AND ((traded_at >= p_from AND traded_at < s_lo) OR (traded_at >= s_hi AND traded_at < p_to))
    UNION ALL
    SELECT kpi_bucket(second, p_bucket_s), trades, volume_sum, price_sum, price_min, price_max,
           CASE WHEN first_at IS NOT NULL THEN kpi_price_mark(first_at, first_price) END,
           CASE WHEN last_at IS NOT NULL THEN kpi_price_mark(last_at, last_price) END, pv_sum
    FROM trades_1s
    WHERE symbol = p_symbol AND ((second >= s_lo AND second < m_lo) OR (second >= m_hi AND second < s_hi))
    UNION ALL
    SELECT kpi_bucket(minute, p_bucket_s), trades, volume_sum, price_sum, price_min, price_max,
           CASE WHEN first_at IS NOT NULL THEN kpi_price_mark(first_at, first_price) END,
           CASE WHEN last_at IS NOT NULL THEN kpi_price_mark(last_at, last_price) END, pv_sum
    FROM trades_1m
    WHERE symbol = p_symbol AND ((minute >= m_lo AND minute < h_lo) OR (minute >= h_hi AND minute < m_hi))
    UNION ALL
    SELECT kpi_bucket(hour, p_bucket_s), trades, volume_sum, price_sum, price_min, price_max,
           CASE WHEN first_at IS NOT NULL THEN kpi_price_mark(first_at, first_price) END,
           CASE WHEN last_at IS NOT NULL THEN kpi_price_mark(last_at, last_price) END, pv_sum
    FROM trades_1h
    WHERE symbol = p_symbol AND hour >= h_lo AND hour < h_hi
  ),
  -- a part without first/last (an old row, see the header) makes its bucket's open and close unknown
  c AS (
    SELECT b, sum(n) AS n, sum(v) AS v, sum(ps) AS ps, min(lo) AS lo, max(hi) AS hi,
           CASE WHEN count(f) = count(*) THEN min(f) END AS f, CASE WHEN count(l) = count(*) THEN max(l) END AS l,
           CASE WHEN count(pv) = count(*) THEN sum(pv) END AS pv
    FROM parts GROUP BY b
  )
  SELECT coalesce(jsonb_agg(jsonb_build_object(
           'start', kpi_ms(b), 'open', f[2], 'high', hi, 'low', lo, 'close', l[2], 'volume', v, 'trades', n,
           'vwap', CASE WHEN v = 0 THEN ps / n ELSE pv / v END) ORDER BY b), '[]'::jsonb)
  INTO v_buckets FROM c;

  RETURN jsonb_build_object('symbol', p_symbol, 'bucketS', p_bucket_s, 'buckets', v_buckets);
END
$fn$;

COMMENT ON FUNCTION kpi_candles(text, timestamptz, timestamptz, double precision) IS
  'One symbol''s OHLC candles, volume and VWAP over [p_from, p_to) by traded_at in buckets of p_bucket_s seconds, '
  'as JSON (see src/shared/kpi.ts); from the rollups of sql/004 and sql/012 with the first/last of sql/016';
