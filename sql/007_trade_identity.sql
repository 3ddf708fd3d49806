-- A trade's identity (issue 8). Unique on the Kafka coordinates was not "exactly once": a topic that
-- is recreated (a wiped data dir, another cluster) starts its offsets at 0 again, so new trades hit
-- old rows and were dropped as duplicates, and a producer retry after a lost ack stored a trade twice
-- under new offsets. trades.trade_id is the key now, and it comes in three kinds:
--
--   <session>.<frame>.<index>  our producer names each trade once, where it becomes a record, and the
--                              id travels in the value as tf_id (src/main/pipeline/trade-id.ts). A
--                              retry resends the id; identical trades in one frame differ by index.
--   kafka/<md5>                a record without a tf_id (another Finnhub-shaped producer, or ours
--                              before this migration): trade_fallback_id() below.
--   sql/<16 hex digits>        a row inserted without one (by hand, tests, BI, the bench's references).
--
-- A tf_id never contains '/', so the kinds cannot collide. The coordinates stay as columns (the
-- latency rollups group by topic and partition), without an index: nothing looks rows up by them.

-- The identity of a record without a tf_id: its coordinates, its own timestamp and its content.
-- A redelivery has all of them again, so it stays a no-op. A recreated topic's record at a reused
-- offset carries another stamp (producers stamp the send time), or failing that other content; only
-- the same trade with the same stamp at the same offset counts as already stored. The floats go in
-- as their exact bits (float8send), so no float formatting setting can change an id.
CREATE FUNCTION trade_fallback_id(p_topic text, p_partition integer, p_offset bigint, p_stamp_ms bigint,
                                  p_symbol text, p_traded_ms bigint, p_price double precision,
                                  p_volume double precision, p_conditions text[]) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
RETURN 'kafka/' || md5(concat_ws('/', p_topic, p_partition, p_offset, p_stamp_ms, p_traded_ms, p_symbol,
                                 encode(float8send(p_price), 'hex'), encode(float8send(p_volume), 'hex'),
                                 p_conditions::text));

COMMENT ON FUNCTION trade_fallback_id(text, integer, bigint, bigint, text, bigint, double precision,
                                      double precision, text[]) IS
  'trade_id of a Kafka record that carries no tf_id: its coordinates, record timestamp and content';

-- "C": the unique index compares bytes rather than going through the locale.
ALTER TABLE trades ADD COLUMN trade_id text COLLATE "C";

-- Rows stored so far came from records without a tf_id: name them as a redelivery of that record
-- will be named, so a record written but not yet committed in Kafka stays a no-op after the upgrade.
-- Our producer always stamped its records, so received_at is the record's timestamp. The rollups do
-- not change, so their update trigger (a rebuild of every minute touched) is skipped.
ALTER TABLE trades DISABLE TRIGGER trades_rollup_update;
UPDATE trades
SET trade_id = trade_fallback_id(kafka_topic, kafka_partition, kafka_offset, kpi_ms(received_at), symbol,
                                 kpi_ms(traded_at), price, volume, conditions);
ALTER TABLE trades ENABLE TRIGGER trades_rollup_update;

CREATE SEQUENCE trades_trade_id_seq OWNED BY trades.trade_id;

ALTER TABLE trades
  ALTER COLUMN trade_id SET NOT NULL,
  -- fixed-width hex, so these ids ascend too and a bulk insert appends to the index
  ALTER COLUMN trade_id SET DEFAULT 'sql/' || lpad(to_hex(nextval('trades_trade_id_seq')), 16, '0'),
  -- A trade is stored once: the writer inserts with ON CONFLICT (trade_id) DO NOTHING.
  ADD CONSTRAINT trades_trade_id_key UNIQUE (trade_id),
  -- A recreated topic reuses offsets: the coordinates are no identity.
  DROP CONSTRAINT trades_kafka_coordinates_key;

COMMENT ON TABLE trades IS 'One row per Finnhub trade, exactly once per trade_id';
COMMENT ON COLUMN trades.trade_id IS
  'The trade''s identity: our producer''s tf_id, kafka/<md5> for a record without one, sql/<hex> for a row inserted without one';
