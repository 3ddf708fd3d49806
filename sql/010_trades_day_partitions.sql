-- Day partitions for trades (issue 13, DESIGN "Storage over time"). Raw trades are to leave by whole
-- days (DROP of a partition, never a DELETE of millions of rows), and a trade costs less on disk.
--
-- What each byte is for. A trade cost about 315 bytes on 1M realistic trades before this migration
-- (heap 165, indexes 150) and 166 after it (heap 137, index 29); bench/README.md has the method.
--   * id (surrogate key): no query, export or test read it; the export's tie-break is the key below.
--   * trade_id text (~23 bytes, and again in its index) becomes trade_key bigint: the first 64 bits
--     of md5(trade_id), over the same texts as sql/007 (tf_id, kafka/<md5>, sql/<hex>). Unique with
--     traded_at, two trades collide only with the same millisecond AND the same 64-bit digest.
--   * Indexes: ONE btree, unique (traded_at, trade_key). A unique key of a partitioned table must hold
--     the partition key; a redelivered trade carries its traded_at again, so it stays a no-op. With
--     traded_at first it also serves every time-range read (snapshot edges, rebuilds, the export, in
--     index order), so the separate traded_at index goes; (symbol, traded_at) served only the raw
--     per-symbol KPI reads that rollups (sql/004) replaced, and the export filters a time range. A BRIN
--     on traded_at would add nothing this btree does not already do. Trades arrive nearly in
--     traded_at order, so the index appends at its end: fillfactor 100 leaves no holes.
--   * Columns are ordered 8-byte first, so a row carries no alignment padding between them.

-- The 64-bit digest of a trade's identity text; the writer computes it from the same text.
CREATE FUNCTION trade_key(p_id text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN ('x' || left(md5(p_id), 16))::bit(64)::bigint;

COMMENT ON FUNCTION trade_key(text) IS
  'trades.trade_key of an identity text (tf_id, kafka/<md5> or sql/<hex>): the first 64 bits of its md5';

-- Rows inserted without a key (by hand, BI, tests) are named sql/<hex> as before; the numbering goes
-- on from sql/007's sequence, so no new row reuses an old row's name.
CREATE SEQUENCE trades_sql_id_seq;
SELECT setval('trades_sql_id_seq', last_value, is_called) FROM trades_trade_id_seq;

-- The views of sql/002 bind to the old table: keep their text, and make them again on the new one.
CREATE TEMP TABLE trades_views ON COMMIT DROP AS
SELECT DISTINCT v.relname AS name, pg_get_viewdef(v.oid) AS def
FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class v ON v.oid = r.ev_class
WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = 'trades'::regclass AND v.oid <> 'trades'::regclass;
DO $$
DECLARE v record;
BEGIN
  FOR v IN SELECT name FROM trades_views LOOP EXECUTE format('DROP VIEW %I', v.name); END LOOP;
END
$$;

ALTER TABLE trades RENAME TO trades_v1;

CREATE TABLE trades (
  traded_at timestamptz(3) NOT NULL,
  received_at timestamptz(3) NOT NULL,
  consumed_at timestamptz(3) NOT NULL,
  written_at timestamptz(3) NOT NULL DEFAULT now(),
  price double precision NOT NULL,
  volume double precision NOT NULL,
  kafka_offset bigint NOT NULL,
  trade_key bigint NOT NULL DEFAULT trade_key('sql/' || lpad(to_hex(nextval('trades_sql_id_seq')), 16, '0')),
  kafka_partition integer NOT NULL,
  symbol text NOT NULL,
  kafka_topic text NOT NULL,
  conditions text[] NULL,
  -- A trade is stored once: the writer inserts with ON CONFLICT (traded_at, trade_key) DO NOTHING.
  CONSTRAINT trades_key UNIQUE (traded_at, trade_key) WITH (fillfactor = 100)
) PARTITION BY RANGE (traded_at);

ALTER SEQUENCE trades_sql_id_seq OWNED BY trades.trade_key;

COMMENT ON TABLE trades IS 'One row per Finnhub trade, exactly once per (traded_at, trade_key); one partition per UTC day';
COMMENT ON COLUMN trades.traded_at IS 'The assignment''s "timestamp": Finnhub''s trade time t';
COMMENT ON COLUMN trades.received_at IS 'The assignment''s "to_kafka": when our source received the frame (Kafka record timestamp)';
COMMENT ON COLUMN trades.consumed_at IS 'The assignment''s "to_consumer": when the consumer got the record';
COMMENT ON COLUMN trades.written_at IS 'The assignment''s "to_db": when the writer stored the batch';
COMMENT ON COLUMN trades.volume IS '0 is legal: FX and crypto price updates carry no volume';
COMMENT ON COLUMN trades.trade_key IS
  'trade_key() of the trade''s identity: our producer''s tf_id, kafka/<md5> for a record without one, sql/<hex> by hand';

-- Every insert finds a partition: the writer makes a batch's days before it inserts (trades_add_days,
-- below), and anything else (a hand or BI insert, a test fixture from 2024) lands in the default
-- partition. Making a day moves that day's rows out of the default partition first, so retention can
-- drop whole days. The default partition is meant to stay near empty: each ATTACH scans it.
CREATE TABLE trades_default PARTITION OF trades DEFAULT;

-- Makes the partitions of the given UTC days that do not exist yet; returns how many it made. The
-- writer calls it outside its insert transaction, for each day it has not seen and the day after (so
-- midnight finds its partition ready). Locks: CREATE TABLE ... PARTITION OF would take the parent
-- ACCESS EXCLUSIVE, queueing every insert and KPI read behind the slowest running query; ATTACH
-- PARTITION takes the parent only SHARE UPDATE EXCLUSIVE, which inserts and reads do not wait for,
-- plus the default partition ACCESS EXCLUSIVE, which only reads of ranges without a day partition
-- (so not pruned to day partitions) hold. An advisory lock per schema keeps two writers from making
-- the same day at once.
CREATE FUNCTION trades_add_days(p_days date[]) RETURNS integer
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $fn$
DECLARE
  v_day date;
  v_name text;
  v_lo timestamptz;
  v_hi timestamptz;
  v_made integer := 0;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('tickflow.trades_add_days'), hashtext(current_schema()));
  FOR v_day IN SELECT DISTINCT d FROM unnest(p_days) AS d WHERE d IS NOT NULL ORDER BY 1 LOOP
    v_name := 'trades_' || to_char(v_day, 'YYYYMMDD');
    CONTINUE WHEN to_regclass(quote_ident(v_name)) IS NOT NULL;
    v_lo := v_day::timestamp AT TIME ZONE 'UTC';
    v_hi := (v_day + 1)::timestamp AT TIME ZONE 'UTC';
    EXECUTE format('CREATE TABLE %I (LIKE trades INCLUDING DEFAULTS)', v_name);
    -- ATTACH would lock it anyway; locked first, no row of the day can slip in after the move.
    LOCK TABLE trades_default IN ACCESS EXCLUSIVE MODE;
    -- Partition to partition: the rollup triggers of the parent do not fire, the rows stay counted.
    EXECUTE format('WITH moved AS (DELETE FROM trades_default WHERE traded_at >= $1 AND traded_at < $2 RETURNING *)
                    INSERT INTO %I SELECT * FROM moved', v_name) USING v_lo, v_hi;
    EXECUTE format('ALTER TABLE trades ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', v_name, v_lo, v_hi);
    v_made := v_made + 1;
  END LOOP;
  RETURN v_made;
END
$fn$;

COMMENT ON FUNCTION trades_add_days(date[]) IS
  'Makes the missing day partitions trades_YYYYMMDD (UTC days) of trades, moving their rows out of trades_default';

-- Every day that holds trades, and today and tomorrow ahead of need.
SELECT trades_add_days(array_agg(d))
FROM (SELECT DISTINCT (traded_at AT TIME ZONE 'UTC')::date AS d FROM trades_v1
      UNION SELECT (now() AT TIME ZONE 'UTC')::date + i FROM generate_series(0, 1) AS i) AS days;

-- The rows move as they are; the rollups already count them, so the triggers come after the copy.
INSERT INTO trades (traded_at, received_at, consumed_at, written_at, price, volume, kafka_offset, trade_key,
                    kafka_partition, symbol, kafka_topic, conditions)
SELECT traded_at, received_at, consumed_at, written_at, price, volume, kafka_offset, trade_key(trade_id),
       kafka_partition, symbol, kafka_topic, conditions
FROM trades_v1 ORDER BY traded_at;

-- A statement trigger on the partitioned parent sees the rows of every partition in its transition
-- tables, so the rollups are kept as in sql/004. Dropping a whole partition fires none: the rollups
-- outlive the raw rows, as the DESIGN wants.
CREATE TRIGGER trades_rollup_insert AFTER INSERT ON trades
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi_rollup_on_insert();
CREATE TRIGGER trades_rollup_update AFTER UPDATE ON trades
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi_rollup_on_change();
CREATE TRIGGER trades_rollup_delete AFTER DELETE ON trades
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi_rollup_on_change();
CREATE TRIGGER trades_rollup_truncate AFTER TRUNCATE ON trades
  FOR EACH STATEMENT EXECUTE FUNCTION kpi_rollup_on_change();

DROP TABLE trades_v1;

DO $$
DECLARE v record;
BEGIN
  FOR v IN SELECT name, def FROM trades_views LOOP EXECUTE format('CREATE VIEW %I AS %s', v.name, v.def); END LOOP;
END
$$;
