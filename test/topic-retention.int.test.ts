import { randomBytes } from 'node:crypto'
import type { Admin, Kafka } from 'kafkajs'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { createKafka } from '../src/main/kafka/client'
import { ensureTopic } from '../src/main/kafka/topics'
import { ConsumerThread } from '../src/main/pipeline/consumer/consumer-thread'
import type { Notice } from '../src/main/pipeline/pipeline'
import { encodeTrade } from '../src/main/pipeline/record-codec'
import { openHarness, storedTradeKeys, waitFor, type Harness } from './helpers/harness'
import { testKafkaConnection } from './helpers/test-kafka'

const APRIL_2024 = 1_714_000_000_000
const checkMs = inject('kafkaRetentionCheckMs')

let h: Harness | null = null
const admins: Admin[] = []
afterEach(async () => {
  for (const a of admins.splice(0)) await a.disconnect()
  await h?.close()
  h = null
})

async function connectedAdmin(kafka: Kafka): Promise<Admin> {
  const admin = kafka.admin()
  await admin.connect()
  admins.push(admin)
  return admin
}

/** n trades on partition 0, stamped `receivedAt`, with prices from `first` up (to tell them apart). */
async function produce(
  kafka: Kafka,
  topic: string,
  first: number,
  n: number,
  receivedAt: number,
): Promise<void> {
  const producer = kafka.producer()
  await producer.connect()
  const messages = Array.from({ length: n }, (_, i) => ({
    ...encodeTrade({ s: 'AAPL', p: first + i, t: APRIL_2024 + i, v: 1, c: null }, receivedAt),
    partition: 0,
  }))
  await producer.send({ topic, messages, acks: -1 })
  await producer.disconnect()
}

describe('a topic Tickflow creates', () => {
  // The broker deletes expired records every checkMs here (test/setup/kafka.ts); with the broker's
  // default retention of 7 days these records were gone within a second or two.
  it.skipIf(checkMs === 0)('keeps records stamped years ago until they are read', async () => {
    const kafka = createKafka(testKafkaConnection())
    const topic = `retention-${randomBytes(4).toString('hex')}`
    expect(await ensureTopic(kafka, topic, 1)).toMatchObject({ created: true, warnings: [] })
    await produce(kafka, topic, 1, 500, APRIL_2024)
    await new Promise((r) => setTimeout(r, 5 * checkMs))
    const admin = await connectedAdmin(kafka)
    expect(await admin.fetchTopicOffsets(topic)).toEqual([
      expect.objectContaining({ partition: 0, low: '0', high: '500' }),
    ])
    await admin.deleteTopics({ topics: [topic] })
  })

  it('warns when an existing topic deletes records by their age', async () => {
    const kafka = createKafka(testKafkaConnection())
    const topic = `aged-${randomBytes(4).toString('hex')}`
    const admin = await connectedAdmin(kafka)
    // No waitForLeaders: kafkajs's wait takes a broker that does not know the topic yet
    // (UNKNOWN_TOPIC_OR_PARTITION, seen under load) as a failure; ensureTopic waits for the leaders.
    await admin.createTopics({
      topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '604800000' }] }],
      waitForLeaders: false,
    })
    const res = await ensureTopic(kafka, topic, 1)
    expect(res.created).toBe(false)
    expect(res.warnings).toEqual([
      expect.stringContaining(`topic ${topic} deletes records whose timestamp is older than 168 h`),
    ])
    await admin.deleteTopics({ topics: [topic] })
  })
})

describe('records deleted before the writer read them', () => {
  it('are reported with their partition and offsets, and the stream goes on', async () => {
    h = await openHarness(1)
    const harness = h
    const notices: Notice[] = []
    const thread = (): ConsumerThread =>
      new ConsumerThread(
        {
          connection: testKafkaConnection(`${harness.groupId}-writer`),
          database: { url: harness.db.url, schema: harness.db.schema },
          options: { topic: harness.topic, groupId: harness.groupId, concurrency: 1 },
        },
        { onNotice: (level, message) => notices.push({ level, message, at: Date.now() }) },
      )
    const rows = async (): Promise<number> => (await storedTradeKeys(harness.db)).length

    // The writer reads offsets 0-4 and commits 5, then stops.
    await produce(h.kafka, h.topic, 1, 5, Date.now())
    const first = thread()
    await first.start()
    await waitFor('the first five rows', rows, (n) => n === 5)
    await first.stop()

    // Offsets 5-14 arrive while it is away, and 5-9 are deleted before it is back (as retention would).
    await produce(h.kafka, h.topic, 6, 10, Date.now())
    const admin = await connectedAdmin(h.kafka)
    await admin.fetchTopicMetadata({ topics: [h.topic] }) // deleteTopicRecords needs it loaded
    await admin.deleteTopicRecords({ topic: h.topic, partitions: [{ partition: 0, offset: '10' }] })

    const second = thread()
    await second.start()
    try {
      await waitFor('the rows after the gap', rows, (n) => n === 10)
      const skipped = `Kafka skipped 5 records of partition 0 of ${h.topic} (offsets 5–9)`
      await waitFor(
        'the offset-reset notice',
        () => notices.map((n) => `${n.level}: ${n.message}`),
        (texts) => texts.some((t) => t.startsWith(`error: ${skipped}`)),
        10_000,
      )
      // The status shows it too, once the next stats message has crossed from the thread.
      await waitFor(
        'the status to show it',
        () => second.health().lastError,
        (e) => !!e?.includes(skipped),
        5_000,
      )
    } finally {
      await second.stop()
    }
    const prices = (await h.db.pool.query<{ price: number }>('SELECT price FROM trades ORDER BY price')).rows
    expect(prices.map((r) => r.price)).toEqual([1, 2, 3, 4, 5, 11, 12, 13, 14, 15])
  })
})
