import type { Admin, ConfigResourceTypes, Kafka } from 'kafkajs'
import { applyTopicSize, partitionRetentionBytes, topicRetentionBytes, topicSizeConfig } from './topic-size'

// kafkajs's ConfigResourceTypes.TOPIC. Its enums exist only on the CommonJS export object, which
// Node's ESM loader (tsx, serve) cannot import by name.
const TOPIC_RESOURCE = 2 as ConfigResourceTypes

export interface EnsureTopicOptions {
  /** How long to wait for every partition to have a leader; default 30 s. */
  timeoutMs?: number
  /** size the topic from this disk budget (topic-size.ts) instead of TOPIC_CONFIG's fixed 1 GiB */
  diskBudgetGb?: number
  /**
   * The topic is Tickflow's (on the broker Tickflow runs): an existing one is resized to the
   * budget too. Someone else's topic is only warned about.
   */
  owned?: boolean
}

export interface EnsureTopicResult {
  created: boolean
  /** an existing topic's settings that put records at risk, in words */
  warnings: string[]
  /** what an existing topic of ours had changed to fit the budget, "name: old → new" */
  resized: string[]
  /** retention.bytes per partition as the broker has it now; null when unlimited or not told */
  retentionBytes: number | null
}

/**
 * The settings a Tickflow topic is created with. A record's timestamp is its receive time
 * (CreateTime, DESIGN invariant 5), and that can lie far in the past: a replay that keeps recorded
 * stamps, a test fixture from 2024, another producer's clock. Time-based retention judges a segment
 * by its newest stamp, so the broker's default (7 days) deleted such a backlog at its next
 * retention check, before the consumer had read it, and kafkajs skipped past the gap silently.
 * So retention is by size only: the topic is a bounded buffer in front of PostgreSQL, and a stamp
 * keeps meaning "received at". (LogAppendTime would have fixed retention too, but overwrites the
 * stamp, so received_at would have to move into the value and foreign producers would lose theirs.)
 */
export const TOPIC_CONFIG: Readonly<Record<string, string>> = {
  'message.timestamp.type': 'CreateTime',
  // never delete by age: an old stamp must not make a record expire on arrival
  'retention.ms': '-1',
  // 1 GiB per partition, roughly an hour of backlog at 5,000 trades/s if PostgreSQL is away
  'retention.bytes': String(1024 ** 3),
}

/**
 * Why an existing topic's config can lose records that carry old stamps; null if it cannot.
 * `configs` are the topic's describeConfigs entries.
 */
export function retentionWarning(
  topic: string,
  configs: readonly { configName: string; configValue: string | null }[],
): string | null {
  const get = (name: string): string | null => configs.find((c) => c.configName === name)?.configValue ?? null
  if (get('message.timestamp.type') === 'LogAppendTime') return null
  const text = get('retention.ms')
  const ms = text === null || text.trim() === '' ? NaN : Number(text)
  if (!Number.isFinite(ms) || ms < 0) return null
  const hours = Math.round((ms / 3_600_000) * 10) / 10
  return (
    `topic ${topic} deletes records whose timestamp is older than ${hours} h (retention.ms=${ms}): ` +
    'a replay of older recordings, or another producer with old stamps, can lose records before they ' +
    'are written. New Tickflow topics use retention.ms=-1 with a size limit; set that on this topic, ' +
    'or use a new one'
  )
}

/**
 * Copies of each partition for a cluster of `brokers`: three where there are three, so one broker
 * can die without losing an acknowledged record (the producer waits for every in-sync copy), and
 * two in sync required, so a write is refused rather than kept on one disk alone.
 */
export function topicReplication(brokers: number): {
  replicationFactor: number
  configs: Record<string, string>
} {
  const replicationFactor = Math.max(1, Math.min(3, brokers))
  return { replicationFactor, configs: brokers >= 3 ? { 'min.insync.replicas': '2' } : {} }
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
    if (!(partitions.length > 0 && partitions.every((p) => p.partitionErrorCode === 0 && p.leader >= 0)))
      return false
    // A leader in the metadata may still answer NOT_LEADER_OR_FOLLOWER for a moment, and kafkajs
    // then resends a whole produce request, storing the partitions that had succeeded twice. The
    // leaders answer ListOffsets only once they serve, so wait for that too.
    await admin.fetchTopicOffsets(topic)
    return true
  } catch {
    return false // LEADER_NOT_AVAILABLE / UNKNOWN_TOPIC_OR_PARTITION / NOT_LEADER right after creation
  }
}

/**
 * Creates `topic` with `partitions` partitions and TOPIC_CONFIG unless it exists, then waits until
 * every partition has a leader, so a producer or consumer started next does not race the controller.
 * An existing topic is left as it is, even with another partition count (changing it would remap
 * keys) or another retention (it may not be ours to change): the result warns about the latter.
 * Safe to call concurrently from several processes.
 */
export async function ensureTopic(
  kafka: Kafka,
  topic: string,
  partitions: number,
  opts: EnsureTopicOptions = {},
): Promise<EnsureTopicResult> {
  validateTopic(topic, partitions)
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000)
  const admin = kafka.admin()
  await admin.connect()
  try {
    let created = false
    const existing = await admin.listTopics()
    if (!existing.includes(topic)) {
      try {
        const { replicationFactor, configs } = topicReplication(
          (await admin.describeCluster()).brokers.length,
        )
        const size = opts.diskBudgetGb
          ? topicSizeConfig(partitionRetentionBytes(opts.diskBudgetGb, partitions))
          : {}
        const configEntries = Object.entries({ ...TOPIC_CONFIG, ...size, ...configs }).map(
          ([name, value]) => ({
            name,
            value,
          }),
        )
        await admin.createTopics({
          topics: [{ topic, numPartitions: partitions, replicationFactor, configEntries }],
          waitForLeaders: false,
        })
        created = true
      } catch (err) {
        if (!isTopicAlreadyExistsError(err)) throw err
      }
    }
    while (!(await leadersReady(admin, topic))) {
      if (Date.now() > deadline) throw new Error(`topic ${topic}: partitions still have no leader`)
      await new Promise((r) => setTimeout(r, 100))
    }
    const warning = created ? null : await checkRetention(admin, topic)
    const resized =
      !created && opts.owned && opts.diskBudgetGb
        ? (await resizeToBudget(admin, topic, opts.diskBudgetGb)).changed
        : []
    const retentionBytes = await topicRetentionBytes(admin, topic).catch(() => null)
    return { created, warnings: warning ? [warning] : [], resized, retentionBytes }
  } finally {
    await admin.disconnect()
  }
}

/** An existing topic of ours sized to the budget, over the partitions it really has. */
export async function resizeToBudget(
  admin: Admin,
  topic: string,
  diskBudgetGb: number,
): Promise<{ retentionBytes: number; changed: string[] }> {
  const meta = await admin.fetchTopicMetadata({ topics: [topic] })
  const partitions = meta.topics.find((t) => t.name === topic)?.partitions.length ?? 0
  if (partitions < 1) throw new Error(`topic ${topic} has no partitions`)
  const retentionBytes = partitionRetentionBytes(diskBudgetGb, partitions)
  const { changed } = await applyTopicSize(admin, topic, retentionBytes)
  return { retentionBytes, changed }
}

/**
 * Resizes our topic to a disk budget that changed while running: call it after a live edit of the
 * budget. Returns the new retention.bytes per partition and what changed.
 */
export async function applyDiskBudget(
  kafka: Kafka,
  topic: string,
  diskBudgetGb: number,
): Promise<{ retentionBytes: number; changed: string[] }> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    return await resizeToBudget(admin, topic, diskBudgetGb)
  } finally {
    await admin.disconnect()
  }
}

async function checkRetention(admin: Admin, topic: string): Promise<string | null> {
  try {
    const res = await admin.describeConfigs({
      resources: [
        {
          type: TOPIC_RESOURCE,
          name: topic,
          configNames: ['retention.ms', 'message.timestamp.type'],
        },
      ],
      includeSynonyms: false,
    })
    return retentionWarning(topic, res.resources[0]?.configEntries ?? [])
  } catch {
    return null // an ACL may forbid describing; the offset-reset alert still catches a loss
  }
}
