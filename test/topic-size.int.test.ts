import { randomBytes } from 'node:crypto'
import type { Admin, ConfigResourceTypes } from 'kafkajs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createKafka } from '../src/main/kafka/client'
import { MIN_PARTITION_BYTES } from '../src/main/kafka/topic-size'
import { applyDiskBudget, ensureTopic } from '../src/main/kafka/topics'
import { testKafkaConnection } from './helpers/test-kafka'

const TOPIC_RESOURCE = 2 as ConfigResourceTypes
const kafka = createKafka(testKafkaConnection())

let admin: Admin
const topics: string[] = []
beforeEach(async () => {
  admin = kafka.admin()
  await admin.connect()
})
afterEach(async () => {
  await admin.deleteTopics({ topics: topics.splice(0) }).catch(() => undefined)
  await admin.disconnect()
})

function newTopic(prefix: string): string {
  const t = `${prefix}-${randomBytes(4).toString('hex')}`
  topics.push(t)
  return t
}

/** The topic's own settings (not the broker's defaults), as the broker has them. */
async function topicSettings(topic: string): Promise<Record<string, string>> {
  const res = await admin.describeConfigs({
    resources: [{ type: TOPIC_RESOURCE, name: topic }],
    includeSynonyms: false,
  })
  // source 1: DYNAMIC_TOPIC_CONFIG, set on the topic itself
  const own = (res.resources[0]?.configEntries ?? []).filter((e) => Number(e.configSource) === 1)
  return Object.fromEntries(own.map((e) => [e.configName, e.configValue]))
}

describe('a topic sized to the disk budget', () => {
  it('is created with a fifth of the budget over its partitions, segments of an eighth of that', async () => {
    const topic = newTopic('budget')
    const res = await ensureTopic(kafka, topic, 3, { diskBudgetGb: 2, owned: true })
    // 2 GB × 0.2 / 3 partitions
    expect(res).toEqual({ created: true, warnings: [], resized: [], retentionBytes: 133_333_333 })
    expect(await topicSettings(topic)).toMatchObject({
      'retention.bytes': '133333333',
      'segment.bytes': '16666666',
      'retention.ms': '-1',
      'message.timestamp.type': 'CreateTime',
    })
  })

  it('follows a budget changed live, keeping every other setting of the topic', async () => {
    const topic = newTopic('rebudget')
    await ensureTopic(kafka, topic, 3, { diskBudgetGb: 2, owned: true })
    // A setting a user added: AlterConfigs replaces all of them, so it must be sent back too.
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: TOPIC_RESOURCE,
          name: topic,
          configEntries: Object.entries({
            ...(await topicSettings(topic)),
            'max.message.bytes': '2000000',
          }).map(([name, value]) => ({ name, value })),
        },
      ],
    })
    expect(await applyDiskBudget(kafka, topic, 0.5)).toEqual({
      retentionBytes: MIN_PARTITION_BYTES, // 0.5 GB × 0.2 / 3 is under the floor
      changed: [`retention.bytes: 133333333 → ${MIN_PARTITION_BYTES}`, `segment.bytes: 16666666 → 8388608`],
    })
    expect(await topicSettings(topic)).toMatchObject({
      'retention.bytes': String(MIN_PARTITION_BYTES),
      'segment.bytes': '8388608',
      'retention.ms': '-1',
      'message.timestamp.type': 'CreateTime',
      'max.message.bytes': '2000000',
    })
    // Applied again: nothing to change.
    expect((await applyDiskBudget(kafka, topic, 0.5)).changed).toEqual([])
  })

  it('resizes an existing topic of ours at start, and leaves one that is not ours as it is', async () => {
    const ours = newTopic('ours')
    const theirs = newTopic('theirs')
    await admin.createTopics({
      topics: [ours, theirs].map((topic) => ({
        topic,
        numPartitions: 2,
        configEntries: [{ name: 'retention.ms', value: '-1' }],
      })),
    })
    // 1 GB × 0.2 over the 2 partitions it has (not the 3 asked for)
    const mine = await ensureTopic(kafka, ours, 3, { diskBudgetGb: 1, owned: true })
    expect(mine).toMatchObject({ created: false, retentionBytes: 100_000_000 })
    // (the broker's default segment size is the test broker's, see test/setup/kafka.ts)
    expect(mine.resized).toEqual([
      'retention.bytes: -1 → 100000000',
      expect.stringMatching(/^segment\.bytes: \d+ → 12500000$/),
    ])
    expect(await topicSettings(ours)).toMatchObject({ 'retention.ms': '-1', 'retention.bytes': '100000000' })

    const other = await ensureTopic(kafka, theirs, 3, { diskBudgetGb: 1, owned: false })
    expect(other).toEqual({ created: false, warnings: [], resized: [], retentionBytes: null })
    expect(await topicSettings(theirs)).toEqual({ 'retention.ms': '-1' })
  })
})
