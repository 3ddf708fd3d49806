-- A consumer-side reject is the same reject when its Kafka coordinates AND its raw text match. On
-- coordinates alone, a recreated topic (offsets from 0 again) would silently drop a new reject at
-- a reused offset, against invariant 1. md5 keeps the key small for long frames.
ALTER TABLE rejects DROP CONSTRAINT rejects_kafka_coordinates_key;
CREATE UNIQUE INDEX rejects_record_key ON rejects (kafka_topic, kafka_partition, kafka_offset, md5(raw));
