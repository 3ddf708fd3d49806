import type { Admin, Kafka } from 'kafkajs'

export interface EnsureTopicOptions {
  /** How long to wait for every partition to have a leader; default 30 s. */
  timeoutMs?: number
}

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/

/** True for kafkajs's "already exists" error, alone or inside the aggregate createTopics throws. */
export function isTopicAlreadyExistsError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false
  const e = err as { type?: unknown; errors?: unknown }
  if (e.type === 'TOPIC_ALREADY_EXISTS') return true
  return Array.isArray(e.errors) && e.errors.length > 0 && e.errors.every(isTopicAlreadyExistsError)
}

export function validateTopic(topic: string, partitions: number): void {
  if (!TOPIC_NAME.test(topic) || topic === '.' || topic === '..') {
    throw new Error(`invalid Kafka topic name "${topic}": use 1-249 of [A-Za-z0-9._-]`)
  }
  if (!Number.isInteger(partitions) || partitions < 1)
    throw new Error(`invalid partition count ${partitions}`)
}

async function leadersReady(admin: Admin, topic: string): Promise<boolean> {
  try {
    const meta = await admin.fetchTopicMetadata({ topics: [topic] })
    const partitions = meta.topics.find((t) => t.name === topic)?.partitions ?? []
    return partitions.length > 0 && partitions.every((p) => p.partitionErrorCode === 0 && p.leader >= 0)
  } catch {
    return false // LEADER_NOT_AVAILABLE / UNKNOWN_TOPIC_OR_PARTITION right after creation
  }
}

/**
 * Creates `topic` with `partitions` partitions unless it exists, then waits until every partition
 * has a leader, so a producer or consumer started next does not race the controller. An existing
 * topic is left as it is, even with another partition count: changing it would remap keys.
 * Safe to call concurrently from several processes.
 */
export async function ensureTopic(
  kafka: Kafka,
  topic: string,
  partitions: number,
  opts: EnsureTopicOptions = {},
): Promise<void> {
  validateTopic(topic, partitions)
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000)
  const admin = kafka.admin()
  await admin.connect()
  try {
    const existing = await admin.listTopics()
    if (!existing.includes(topic)) {
      try {
        await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: false })
      } catch (err) {
        if (!isTopicAlreadyExistsError(err)) throw err
      }
    }
    while (!(await leadersReady(admin, topic))) {
      if (Date.now() > deadline) throw new Error(`topic ${topic}: partitions still have no leader`)
      await new Promise((r) => setTimeout(r, 100))
    }
  } finally {
    await admin.disconnect()
  }
}
