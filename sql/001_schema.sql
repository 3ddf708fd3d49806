-- Tickflow core tables. Every stamp is timestamptz(3): UTC instants at millisecond precision.
-- Unqualified names: the migration runner sets search_path to the target schema.

CREATE TABLE trades (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  symbol text NOT NULL,
  price double precision NOT NULL,
  volume double precision NOT NULL,
  conditions text[] NULL,
  traded_at timestamptz(3) NOT NULL,
  received_at timestamptz(3) NOT NULL,
  consumed_at timestamptz(3) NOT NULL,
  written_at timestamptz(3) NOT NULL DEFAULT now(),
  kafka_topic text NOT NULL,
  kafka_partition integer NOT NULL,
  kafka_offset bigint NOT NULL,
  -- A redelivered record is a no-op: the writer inserts with ON CONFLICT DO NOTHING.
  CONSTRAINT trades_kafka_coordinates_key UNIQUE (kafka_topic, kafka_partition, kafka_offset)
);

COMMENT ON TABLE trades IS 'One row per Finnhub trade, exactly once per Kafka record';
COMMENT ON COLUMN trades.traded_at IS 'The assignment''s "timestamp": Finnhub''s trade time t';
COMMENT ON COLUMN trades.received_at IS 'The assignment''s "to_kafka": when our source received the frame (Kafka record timestamp)';
COMMENT ON COLUMN trades.consumed_at IS 'The assignment''s "to_consumer": when the consumer got the record';
COMMENT ON COLUMN trades.written_at IS 'The assignment''s "to_db": when the writer stored the batch';
COMMENT ON COLUMN trades.volume IS '0 is legal: FX and crypto price updates carry no volume';

-- Window queries: all symbols by time, and one symbol by time (volume trend).
CREATE INDEX trades_traded_at_idx ON trades (traded_at);
CREATE INDEX trades_symbol_traded_at_idx ON trades (symbol, traded_at);

CREATE TABLE thresholds (
  id text PRIMARY KEY,
  description text NOT NULL,
  value double precision NOT NULL
);

COMMENT ON TABLE thresholds IS 'Tunable numbers; src/shared/thresholds.ts validates every change';

INSERT INTO thresholds (id, description, value) VALUES
  ('symbols_subscribed', 'Symbols expected in every data-loss window; fewer seen means data loss', 4),
  ('data_loss_window_s', 'Width of a data-loss window in seconds', 30),
  ('rate_interval_s', 'Bucket width in seconds for trades per second and the volume trend', 1),
  ('latency_alert_ms', 'Alert when the p95 latency from trade time to database write exceeds this (ms)', 5000),
  ('rejects_alert_per_min', 'Alert when at least this many frames or records are rejected within one minute', 1)
ON CONFLICT (id) DO NOTHING;

CREATE TABLE rejects (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  raw text NOT NULL,
  reason text NOT NULL,
  stage text NOT NULL CHECK (stage IN ('source', 'consumer')),
  rejected_at timestamptz(3) NOT NULL DEFAULT now(),
  kafka_topic text NULL,
  kafka_partition integer NULL,
  kafka_offset bigint NULL,
  -- NULLs are distinct, so source-side rejects (no coordinates) never collide.
  CONSTRAINT rejects_kafka_coordinates_key UNIQUE (kafka_topic, kafka_partition, kafka_offset)
);

COMMENT ON TABLE rejects IS 'Frames and records that could not be parsed or validated, kept with their raw text';

CREATE INDEX rejects_rejected_at_idx ON rejects (rejected_at);
