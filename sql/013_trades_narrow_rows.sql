-- Narrower trade rows (issue 13: at most 150 bytes per stored trade, everything counted). After
-- sql/010 a trade cost about 166 bytes at the Demo rate; two columns held 16 of them for no reader.
--   * kafka_offset (8 bytes): no query, export or KPI reads it. The writer still passes the offset,
--     because the identity of another producer's record (trade_fallback_id, sql/007) is built from
--     it before the row is stored; kafka_topic and kafka_partition stay, since the latency rollups
--     (sql/004) are kept per topic-partition.
--   * conditions text[] → text: two thirds of Demo trades carry no conditions, and a NULL in a row
--     costs it a null bitmap, which pads its header from 24 to 32 bytes; an array costs a 16-byte
--     header besides. Now the codes are one text, separated by single spaces as the CSV export has
--     always written them, '' for none. The feed check refuses a code with a space or none at all
--     (src/shared/trade.ts), so the text splits back into the same codes.
-- Measured with bench/storage.ts on the same realistic trades: 143 bytes per trade at the Demo rate.
--
-- One ALTER, so every partition is rewritten once, under the lock the migration runs in. Rows
-- rewritten here keep a slot for the dropped column (as NULL, so a null bitmap); day partitions made
-- from now on are made LIKE trades, which has no such slot, and the old days leave by retention.
ALTER TABLE trades
  DROP COLUMN kafka_offset,
  ALTER COLUMN conditions TYPE text USING coalesce(array_to_string(conditions, ' '), ''),
  ALTER COLUMN conditions SET DEFAULT '',
  ALTER COLUMN conditions SET NOT NULL;

COMMENT ON COLUMN trades.conditions IS
  'Finnhub''s trade condition codes, separated by single spaces; empty when the trade has none';

-- The key index packs to about 29 bytes a trade when trades arrive in time order, as at the Demo
-- rate. At hundreds of trades a second the writer's per-partition batches overlap in time, so keys
-- land inside full pages, which split half and half and never fill again once the day has moved
-- on: 47–50 bytes a trade (bench/storage.ts at 400 and 4,000 trades/s). A finished day takes no
-- more than a few late trades, so rebuilding its index once packs it for good. This lists the past
-- days whose index is loose: over 34 bytes a row, 1.2 times a packed one. The row count is the
-- planner's (autovacuum analyses an insert-only partition), so a day not yet analysed is skipped.
CREATE FUNCTION trades_loose_days(p_before date) RETURNS TABLE (day date, index_name text, index_bytes bigint, row_estimate bigint)
LANGUAGE sql STABLE
SET search_path FROM CURRENT
AS $fn$
  SELECT to_date(substr(c.relname, 8), 'YYYYMMDD'), x.indexrelid::regclass::text, pg_relation_size(x.indexrelid),
         c.reltuples::bigint
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
  JOIN pg_index x ON x.indrelid = c.oid AND x.indisunique
  WHERE i.inhparent = 'trades'::regclass AND c.relname ~ '^trades_[0-9]{8}$'
    AND to_date(substr(c.relname, 8), 'YYYYMMDD') < p_before
    AND c.reltuples > 1000 AND pg_relation_size(x.indexrelid) > 34 * c.reltuples
  ORDER BY 1
$fn$;

COMMENT ON FUNCTION trades_loose_days(date) IS
  'Day partitions before the given day whose key index holds over 34 bytes a row: to be rebuilt, packed';
