import type { Admin } from 'kafkajs'
import { lagOf, partitionLagsOf } from './offsets'

// The consumer lag as the broker tells it: the topic's end offsets against the group's commits.

/**
 * Records in the topic not yet committed by the group: the consumer lag. With `partitions`, only
 * theirs (the monitor asks about the partitions its consumer owns).
 */
export async function consumerLag(
  admin: Admin,
  groupId: string,
  topic: string,
  partitions?: readonly number[],
): Promise<number> {
  const { ends, done } = await lagInputs(admin, groupId, topic)
  const mine = partitions ? ends.filter((e) => partitions.includes(e.partition)) : ends
  return Number(lagOf(mine, done))
}

/** The consumer lag, and that of the partition furthest behind. */
export async function consumerLags(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<{ lag: number; maxPartitionLag: number }> {
  const { ends, done } = await lagInputs(admin, groupId, topic)
  const lags = partitionLagsOf(ends, done).map((p) => Number(p.lag))
  return { lag: lags.reduce((a, b) => a + b, 0), maxPartitionLag: Math.max(0, ...lags) }
}

async function lagInputs(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<{ ends: Awaited<ReturnType<Admin['fetchTopicOffsets']>>; done: Map<number, bigint> }> {
  const [ends, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ])
  const done = new Map<number, bigint>()
  for (const p of committed[0]?.partitions ?? []) done.set(p.partition, BigInt(p.offset))
  return { ends, done }
}
