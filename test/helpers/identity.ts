// Helpers of the trade identity tests (issue 8): produce through our producer or as another
// producer would, run a writer until its group has committed everything, recreate a topic.
import type { Kafka, ProducerRecord } from 'kafkajs'
import { ensureTopic } from '../../src/main/kafka/topics'
import { TradeConsumer, type ConsumerStats } from '../../src/main/pipeline/consumer/consumer'
import { consumerLag } from '../../src/main/pipeline/consumer/consumer-lag'
import { TradeProducer } from '../../src/main/pipeline/producer'
import type { FinnhubTrade } from '../../src/shared/trade'
import { waitFor, type Harness } from './harness'

/** Frames of 1–6 trades, where every third frame repeats one trade (identical trades are distinct). */
export function tradeFrames(count: number, seed: number, start = Date.now() - 60_000): FinnhubTrade[][] {
  const symbols = ['AAPL', 'AMZN', 'BINANCE:BTCUSDT', 'IC MARKETS:1']
  const out: FinnhubTrade[][] = []
  for (let f = 0; f < count; f++) {
    const n = 1 + ((f * 7 + seed) % 6)
    const one = (i: number): FinnhubTrade => ({
      s: symbols[(f + i + seed) % symbols.length]!,
      p: 100 + ((f * 31 + i * 7 + seed) % 50) / 4,
      t: start + f * 10 + seed,
      v: (f + i) % 3,
      c: i % 2 === 0 ? ['1'] : null,
    })
    out.push(Array.from({ length: n }, (_, i) => (f % 3 === 0 ? one(0) : one(i))))
  }
  return out
}

/** Sends frames through TradeProducer, as Ingest does, and waits for every ack. */
export async function produceFrames(kafka: Kafka, topic: string, frames: FinnhubTrade[][]): Promise<void> {
  const producer = new TradeProducer(kafka, { topic, capacity: 100_000, retryDelayMs: 50 })
  await producer.start()
  try {
    for (const f of frames) producer.enqueue(f, Date.now())
    if (!(await producer.flush(60_000)))
      throw new Error(`not acknowledged: ${JSON.stringify(producer.stats())}`)
  } finally {
    await producer.stop()
  }
}

/**
 * Records as another Finnhub-shaped producer writes them: the bare {s, p, t, v, c}, no tf_id. One
 * send per partition: kafkajs retries a whole request when one of its partitions answers "not the
 * leader" (common just after a topic is created), which stores the other partitions' records twice.
 * That is the foreign producer's own duplicate, which only its idempotence can prevent; here it
 * would only blur what a test counts.
 */
export async function produceForeign(
  kafka: Kafka,
  topic: string,
  records: { trade: FinnhubTrade; stamp: number; partition: number }[],
): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  try {
    for (const partition of new Set(records.map((r) => r.partition))) {
      const messages: ProducerRecord['messages'] = records
        .filter((r) => r.partition === partition)
        .map((r) => ({
          key: r.trade.s,
          value: JSON.stringify(r.trade),
          timestamp: String(r.stamp),
          partition,
        }))
      await producer.send({ topic, messages, acks: -1 })
    }
  } finally {
    await producer.disconnect()
  }
}

/** Records the topic holds now, over all partitions. */
export async function recordsIn(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const ends = await admin.fetchTopicOffsets(topic)
    return ends.reduce((n, e) => n + Number(e.high) - Number(e.low), 0)
  } finally {
    await admin.disconnect()
  }
}

/** Runs a writer on the harness's group until the group has committed every record, then stops it. */
export async function writeAll(h: Harness): Promise<ConsumerStats> {
  const consumer = new TradeConsumer(h.kafka, h.db.pool, {
    topic: h.topic,
    groupId: h.groupId,
    concurrency: h.partitions,
  })
  const admin = h.kafka.admin()
  await admin.connect()
  try {
    await consumer.start()
    await waitFor(
      'the group to commit every record',
      // (-1: the broker did not answer for the offsets this time; ask again)
      async () => ({
        lag: await consumerLag(admin, h.groupId, h.topic).catch(() => -1),
        stats: consumer.stats(),
      }),
      (v) => v.lag === 0,
      90_000,
    )
  } finally {
    await consumer.stop()
    await admin.disconnect()
  }
  return consumer.stats()
}

/** Deletes the topic and creates it again, empty, with offsets from 0: a wiped broker, seen from here. */
export async function recreateTopic(h: Harness): Promise<void> {
  const admin = h.kafka.admin()
  await admin.connect()
  try {
    await admin.deleteTopics({ topics: [h.topic] })
    // Creating it while the deletion is still going on would find the old topic "already there".
    await waitFor(
      'the topic to be gone',
      () => admin.listTopics(),
      (topics) => !topics.includes(h.topic),
    )
  } finally {
    await admin.disconnect()
  }
  const { created } = await ensureTopic(h.kafka, h.topic, h.partitions)
  if (!created) throw new Error(`topic ${h.topic} was not created anew`)
  // Every partition has a leader in the metadata by now, yet for a moment the broker may still
  // answer "not the leader" to an offsets request, which kafkajs's admin does not retry.
  await waitFor(
    'the new topic to answer for its offsets',
    () => recordsIn(h.kafka, h.topic).catch(() => -1),
    (n) => n === 0,
  )
}

/** Row count, and the trade count the KPI rollups hold: the trigger must count only new rows. */
export async function counts(h: Harness): Promise<{ rows: number; rolledUp: number }> {
  const { rows } = await h.db.pool.query<{ rows: number; rolled_up: number | null }>(
    'SELECT (SELECT count(*) FROM trades) AS rows, (SELECT sum(trades) FROM trades_1s) AS rolled_up',
  )
  return { rows: rows[0]!.rows, rolledUp: rows[0]!.rolled_up ?? 0 }
}
