-- Rollups, so that kpi_snapshot() reads a number of rows set by the window's length (and the
-- number of symbols and partitions), not by the number of trades in it.
--
--   trades_1s    per symbol and second: count, volume and price sums, price min/max (KPIs 1-7)
--   trades_1m    per symbol and minute: the same, plus a bitmask of the seconds that had trades
--   latency_1s   per Kafka topic-partition and second: trade count (KPI 2) and a latency histogram
--   latency_1m   per Kafka topic-partition and minute: the same (KPI 8)
--
-- Latency is keyed by partition rather than symbol: the snapshot wants it over all symbols, a topic
-- has fewer partitions than symbols, and one consumer writes a partition, so writers never contend.
--
-- A statement trigger on trades keeps them up to date inside the inserting transaction, from the
-- transition table: it holds only rows actually inserted, so a redelivered record (an ON CONFLICT
-- no-op) is never counted twice, and every insert path (writer, COPY, tests, BI) is covered.

-- Latency histogram bucket: log buckets of ratio 1.05 on |ms| from 1 µs up (values are whole µs),
-- signed, 0 for 0. Each bucket keeps count and sum, and the snapshot reads a bucket as its mean,
-- which lies in the bucket: an order statistic is off by less than 5 % of itself.
CREATE FUNCTION kpi_lat_key(ms double precision) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN abs(ms) < 0.001 THEN 0
            ELSE sign(ms)::integer * least(floor(ln(abs(ms) * 1000) / ln(1.05))::integer + 1, 2000) END;

-- Bits lo..hi-1 of a bigint (0 <= lo <= hi <= 60): seconds lo..hi-1 of a minute.
CREATE FUNCTION kpi_second_bits(lo integer, hi integer) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN hi <= lo THEN 0::bigint ELSE (1::bigint << hi) - (1::bigint << lo) END;

-- Adds two sparse histograms (ascending keys with counts and sums).
CREATE FUNCTION kpi_hist_merge(a_key integer[], a_n integer[], a_sum double precision[],
                               b_key integer[], b_n integer[], b_sum double precision[],
                               OUT hist_key integer[], OUT hist_n integer[], OUT hist_sum double precision[])
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT array_agg(k ORDER BY k), array_agg(n ORDER BY k), array_agg(s ORDER BY k)
  FROM (SELECT k, sum(n)::integer AS n, sum(s) AS s
        FROM (SELECT * FROM unnest(a_key, a_n, a_sum) UNION ALL SELECT * FROM unnest(b_key, b_n, b_sum)) AS u(k, n, s)
        GROUP BY k) AS g
$$;

CREATE FUNCTION kpi_int_add(a integer[], b integer[]) RETURNS integer[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT array_agg(x + y ORDER BY i) FROM unnest(a, b) WITH ORDINALITY AS u(x, y, i) $$;

-- 60 counts, one per second of a minute, from sparse (second of minute, count) pairs.
CREATE FUNCTION kpi_second_counts(secs integer[], ns integer[]) RETURNS integer[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT array_agg(coalesce(u.n, 0) ORDER BY i)
  FROM generate_series(0, 59) AS i LEFT JOIN unnest(secs, ns) AS u(s, n) ON u.s = i
$$;

CREATE FUNCTION kpi_greatest(a double precision[], b double precision[]) RETURNS double precision[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT array_agg(greatest(x, y) ORDER BY i) FROM unnest(a, b) WITH ORDINALITY AS u(x, y, i) $$;

-- fillfactor leaves room for HOT updates: the current second and minute are updated per batch.
CREATE TABLE trades_1s (
  symbol text NOT NULL,
  second timestamptz NOT NULL,
  trades integer NOT NULL,
  volume_sum double precision NOT NULL,
  price_sum double precision NOT NULL,
  price_min double precision NOT NULL,
  price_max double precision NOT NULL,
  PRIMARY KEY (symbol, second)
) WITH (fillfactor = 90);
CREATE INDEX trades_1s_second_idx ON trades_1s (second);

CREATE TABLE trades_1m (
  minute timestamptz NOT NULL,
  symbol text NOT NULL,
  trades integer NOT NULL,
  volume_sum double precision NOT NULL,
  price_sum double precision NOT NULL,
  price_min double precision NOT NULL,
  price_max double precision NOT NULL,
  -- bit i set: the symbol traded in second i of the minute (data-loss windows need no 1 s rows)
  seconds bigint NOT NULL,
  PRIMARY KEY (minute, symbol)
) WITH (fillfactor = 90);

-- hist_key = stage * 4096 + 2048 + kpi_lat_key(ms), ascending; stage 1..5 as in kpi_snapshot's
-- latency list. lat_max[stage] is exact; the sums make the average exact.
CREATE TABLE latency_1s (
  second timestamptz NOT NULL,
  kafka_topic text NOT NULL,
  kafka_partition integer NOT NULL,
  trades integer NOT NULL,
  lat_max double precision[] NOT NULL,
  hist_key integer[] NOT NULL,
  hist_n integer[] NOT NULL,
  hist_sum double precision[] NOT NULL,
  PRIMARY KEY (second, kafka_topic, kafka_partition)
) WITH (fillfactor = 90);

CREATE TABLE latency_1m (LIKE latency_1s INCLUDING ALL) WITH (fillfactor = 90);
ALTER TABLE latency_1m RENAME COLUMN second TO minute;
-- trades in each second of the minute: KPI 2 reads 1 row per minute, not 60
ALTER TABLE latency_1m ADD COLUMN second_trades integer[] NOT NULL;

COMMENT ON TABLE trades_1s IS 'Rollup of trades per symbol and second, kept by trigger; see sql/004';
COMMENT ON TABLE trades_1m IS 'Rollup of trades per symbol and minute, kept by trigger; see sql/004';
COMMENT ON TABLE latency_1s IS 'Trade count and latency histogram per Kafka partition and second; see sql/004';
COMMENT ON TABLE latency_1m IS 'Trade count and latency histogram per Kafka partition and minute; see sql/004';

-- The one statement that adds a set of trades to all four rollups; p_src is a relation (the
-- trigger's transition table, or a subquery of trades for a rebuild). Every upsert is sorted by
-- its conflict key and the tables come in a fixed order, so concurrent writers lock rows in one
-- global order and cannot deadlock.
-- Latency: three differences per trade, the other two stages are their sums, exact because every
-- stamp is whole ms (timestamptz(3)), and 40 percent cheaper than five kpi_ms_between() calls.
CREATE FUNCTION kpi_rollup_sql(p_src text) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN format($q$
WITH s AS MATERIALIZED (
  SELECT symbol, kpi_bucket(traded_at, 1) AS second, count(*)::integer AS trades, sum(volume) AS volume_sum,
         sum(price) AS price_sum, min(price) AS price_min, max(price) AS price_max
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
c60 AS (
  SELECT kpi_bucket(second, 60) AS minute, kafka_topic, kafka_partition, key,
         sum(n)::integer AS n, sum(s) AS s, max(mx) AS mx
  FROM c GROUP BY 1, 2, 3, 4
),
u1 AS (
  INSERT INTO trades_1s AS r (symbol, second, trades, volume_sum, price_sum, price_min, price_max)
  SELECT * FROM s ORDER BY symbol, second
  ON CONFLICT (symbol, second) DO UPDATE SET trades = r.trades + excluded.trades,
    volume_sum = r.volume_sum + excluded.volume_sum, price_sum = r.price_sum + excluded.price_sum,
    price_min = least(r.price_min, excluded.price_min), price_max = greatest(r.price_max, excluded.price_max)
),
u2 AS (
  INSERT INTO trades_1m AS r (minute, symbol, trades, volume_sum, price_sum, price_min, price_max, seconds)
  SELECT kpi_bucket(second, 60), symbol, sum(trades), sum(volume_sum), sum(price_sum), min(price_min),
         max(price_max), bit_or(1::bigint << date_part('epoch', second - kpi_bucket(second, 60))::integer)
  FROM s GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (minute, symbol) DO UPDATE SET trades = r.trades + excluded.trades,
    volume_sum = r.volume_sum + excluded.volume_sum, price_sum = r.price_sum + excluded.price_sum,
    price_min = least(r.price_min, excluded.price_min), price_max = greatest(r.price_max, excluded.price_max),
    seconds = r.seconds | excluded.seconds
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
$q$, p_src);

-- Recomputes the rollups of the whole minutes around [p_from, p_to) from trades. Writers wait
-- (SHARE lock) until the caller commits, so no insert slips between the delete and the re-read.
CREATE FUNCTION kpi_rollup_rebuild(p_from timestamptz, p_to timestamptz) RETURNS void
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $fn$
DECLARE
  v_lo timestamptz := kpi_bucket(p_from, 60);
  v_hi timestamptz := kpi_bucket(p_to, 60);
  v_next timestamptz;
  v_sql text := kpi_rollup_sql('(SELECT * FROM trades WHERE traded_at >= $1 AND traded_at < $2)');
BEGIN
  IF p_from IS NULL OR p_to IS NULL OR p_to <= p_from THEN
    RAISE EXCEPTION 'kpi_rollup_rebuild needs p_from < p_to, got % and %', p_from, p_to USING ERRCODE = '22023';
  END IF;
  IF v_hi < p_to THEN v_hi := v_hi + interval '1 minute'; END IF;
  LOCK TABLE trades IN SHARE MODE;
  DELETE FROM trades_1s WHERE second >= v_lo AND second < v_hi;
  DELETE FROM trades_1m WHERE minute >= v_lo AND minute < v_hi;
  DELETE FROM latency_1s WHERE second >= v_lo AND second < v_hi;
  DELETE FROM latency_1m WHERE minute >= v_lo AND minute < v_hi;
  -- 15-minute steps bound the aggregates' memory; empty stretches are skipped via the index.
  LOOP
    SELECT kpi_bucket(min(traded_at), 60) INTO v_next FROM trades WHERE traded_at >= v_lo AND traded_at < v_hi;
    EXIT WHEN v_next IS NULL;
    v_lo := least(v_next + interval '15 minutes', v_hi);
    EXECUTE v_sql USING v_next, v_lo;
  END LOOP;
END
$fn$;

COMMENT ON FUNCTION kpi_rollup_rebuild(timestamptz, timestamptz) IS
  'Recomputes trades_1s/1m and latency_1s/1m for the whole minutes around [p_from, p_to) from trades';

CREATE FUNCTION kpi_rollup_on_insert() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $fn$
BEGIN
  IF EXISTS (SELECT FROM new_rows) THEN
    EXECUTE kpi_rollup_sql('new_rows');
  END IF;
  RETURN NULL;
END
$fn$;

-- Deletes and updates are rare (retention, repairs): recompute the minutes they touched.
CREATE FUNCTION kpi_rollup_on_change() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $fn$
DECLARE
  v_lo timestamptz;
  v_hi timestamptz;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    TRUNCATE trades_1s, trades_1m, latency_1s, latency_1m;
    RETURN NULL;
  END IF;
  SELECT min(traded_at), max(traded_at) INTO v_lo, v_hi FROM old_rows;
  IF TG_OP = 'UPDATE' THEN
    SELECT least(v_lo, min(traded_at)), greatest(v_hi, max(traded_at)) INTO v_lo, v_hi FROM new_rows;
  END IF;
  IF v_lo IS NOT NULL THEN
    PERFORM kpi_rollup_rebuild(v_lo, v_hi + interval '1 millisecond');
  END IF;
  RETURN NULL;
END
$fn$;

CREATE TRIGGER trades_rollup_insert AFTER INSERT ON trades
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi_rollup_on_insert();
CREATE TRIGGER trades_rollup_update AFTER UPDATE ON trades
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi_rollup_on_change();
CREATE TRIGGER trades_rollup_delete AFTER DELETE ON trades
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi_rollup_on_change();
CREATE TRIGGER trades_rollup_truncate AFTER TRUNCATE ON trades
  FOR EACH STATEMENT EXECUTE FUNCTION kpi_rollup_on_change();

-- Backfill: users upgrade with trades already stored.
SELECT kpi_rollup_rebuild(min(traded_at), max(traded_at) + interval '1 millisecond')
FROM trades HAVING min(traded_at) IS NOT NULL;
