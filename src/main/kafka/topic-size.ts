import type { Admin, ConfigResourceTypes } from 'kafkajs'

/**
 * How much a Tickflow topic may hold, from the disk budget (issue 13). The topic is a buffer in
 * front of PostgreSQL, not the store: it must hold the backlog of an outage (a database away, a
 * full disk), and leave the rest of the budget to PostgreSQL, whose retention counts the Kafka log
 * against the same budget (postgres/retention-job.ts).
 */

// kafkajs's ConfigResourceTypes.TOPIC and DescribeConfigs' DYNAMIC_TOPIC_CONFIG source (see topics.ts
// for why the enums are not imported).
const TOPIC_RESOURCE = 2 as ConfigResourceTypes
const DYNAMIC_TOPIC_CONFIG = 1

const MiB = 1024 ** 2
const GB = 1_000_000_000

/** The part of the disk budget the Kafka log may take: a fifth, the rest is PostgreSQL's. */
export const KAFKA_BUDGET_SHARE = 0.2
/**
 * Per partition at least 64 MiB (~400k trades of ~160 bytes on disk, over a minute of backlog at
 * 5,000 trades/s): less is no buffer at all, even when a tiny budget then runs over.
 */
export const MIN_PARTITION_BYTES = 64 * MiB
/**
 * Per partition at most 1 GiB (roughly an hour of backlog at 5,000 trades/s), the fixed limit
 * before budgets: a longer outage wants a human, and a large budget is worth more as history.
 */
export const MAX_PARTITION_BYTES = 1024 * MiB
/** Kafka 4 refuses a smaller segment.bytes. */
const MIN_SEGMENT_BYTES = MiB

/** retention.bytes per partition for a budget of `diskBudgetGb` GB spread over `partitions`. */
export function partitionRetentionBytes(diskBudgetGb: number, partitions: number): number {
  if (!(diskBudgetGb > 0) || !Number.isInteger(partitions) || partitions < 1)
    throw new RangeError(`bad budget ${diskBudgetGb} GB or partition count ${partitions}`)
  const share = Math.floor((diskBudgetGb * GB * KAFKA_BUDGET_SHARE) / partitions)
  return Math.min(MAX_PARTITION_BYTES, Math.max(MIN_PARTITION_BYTES, share))
}

/**
 * The size settings of a topic that keeps `retentionBytes` per partition. Retention deletes whole
 * closed segments only, so a partition holds up to retention.bytes plus one segment: with Kafka's
 * default 1 GiB segments a 64 MiB limit would never delete anything. An eighth keeps the overshoot
 * at 12.5 %.
 */
export function topicSizeConfig(retentionBytes: number): Record<string, string> {
  const segment = Math.max(MIN_SEGMENT_BYTES, Math.floor(retentionBytes / 8))
  return { 'retention.bytes': String(retentionBytes), 'segment.bytes': String(segment) }
}

export interface TopicSizeChange {
  /** the settings changed, as "name: old → new"; empty when they were right already */
  changed: string[]
}

/**
 * Sets a topic's size settings, leaving its other settings as they are. kafkajs has only the
 * legacy AlterConfigs, which replaces every topic-level setting at once (one left out reverts to
 * the broker's default: retention.ms=-1 would be lost), so this reads the topic's own settings and
 * sends them back with the size ones changed. Only for a topic that is ours: another writer of its
 * settings between the read and the write would be undone.
 */
export async function applyTopicSize(
  admin: Admin,
  topic: string,
  retentionBytes: number,
): Promise<TopicSizeChange> {
  const res = await admin.describeConfigs({
    resources: [{ type: TOPIC_RESOURCE, name: topic }],
    includeSynonyms: false,
  })
  const entries = res.resources[0]?.configEntries ?? []
  const own = new Map<string, string>()
  for (const e of entries) {
    if (e.configSource !== DYNAMIC_TOPIC_CONFIG || e.readOnly) continue
    if (e.configValue === null)
      throw new Error(`topic ${topic}: setting ${e.configName} is hidden (sensitive), so it cannot be kept`)
    own.set(e.configName, e.configValue)
  }
  const current = new Map(entries.map((e) => [e.configName, e.configValue]))
  const wanted = topicSizeConfig(retentionBytes)
  const changed = Object.entries(wanted)
    .filter(([name, value]) => current.get(name) !== value)
    .map(([name, value]) => `${name}: ${current.get(name) ?? 'default'} → ${value}`)
  if (changed.length === 0) return { changed }
  for (const [name, value] of Object.entries(wanted)) own.set(name, value)
  await admin.alterConfigs({
    validateOnly: false,
    resources: [
      {
        type: TOPIC_RESOURCE,
        name: topic,
        configEntries: [...own].map(([name, value]) => ({ name, value })),
      },
    ],
  })
  return { changed }
}

/** A topic's retention.bytes per partition as the broker has it; null when unlimited (-1). */
export async function topicRetentionBytes(admin: Admin, topic: string): Promise<number | null> {
  const res = await admin.describeConfigs({
    resources: [{ type: TOPIC_RESOURCE, name: topic, configNames: ['retention.bytes'] }],
    includeSynonyms: false,
  })
  const value = Number(
    res.resources[0]?.configEntries.find((e) => e.configName === 'retention.bytes')?.configValue,
  )
  return Number.isFinite(value) && value > 0 ? value : null
}
