// Pure rules of the consumer's monitor (consumer-monitor.ts), kept apart so they are tested without
// a broker: when a consumer counts as stalled, and how to recognise kafkajs's silent skip past
// deleted records.
import type { KafkaLogEntry } from '../../kafka/client'

/** No batch for this long while records wait: the consumer is taken for stuck and restarted. */
export const DEFAULT_STALL_MS = 30_000

export interface StallInput {
  now: number
  /** ms epoch of the latest sign of life: joined the group, started or finished a batch */
  lastActivityAt: number
  /** batches being written right now; one retrying a write is slow, not stalled */
  inHand: number
  /** uncommitted records on the partitions this consumer owns; null when unknown */
  lag: number | null
  stallMs: number
}

/**
 * Stalled: records wait, nothing is being written, and nothing has happened for stallMs. A consumer
 * with no lag is idle, not stalled, and an unknown lag (the broker did not answer) proves nothing.
 */
export function isStalled(s: StallInput): boolean {
  return s.inHand === 0 && s.lag !== null && s.lag > 0 && s.now - s.lastActivityAt >= s.stallMs
}

/** True when it is worth asking the broker for the lag: the cheap half of isStalled. */
export function mayBeStalled(s: Omit<StallInput, 'lag'>): boolean {
  return s.inHand === 0 && s.now - s.lastActivityAt >= s.stallMs
}

export interface OffsetReset {
  topic: string
  partition: number
}

/**
 * kafkajs's only trace of an offset-out-of-range reset (a fetch below the log start, because the
 * broker deleted those records) is a log line; it then moves the group to the default offset with no
 * error. kafkajs 2.2 logs "Offset out of range, resetting to default offset" from ConsumerGroup with
 * the topic and partition; older versions said "Resetting offset". Anything else is not a reset.
 */
export function offsetResetOf(entry: Pick<KafkaLogEntry, 'message' | 'extra'>): OffsetReset | null {
  const m = entry.message
  if (!/offset out of range.*reset|resetting offset/i.test(m)) return null
  if (/retrying with leader/i.test(m)) return null // a follower fetch, retried without a reset
  const { topic, partition } = entry.extra
  if (typeof topic !== 'string' || typeof partition !== 'number') return null
  return { topic, partition }
}

/**
 * The notice for a reset. `from` is where the consumer was (its committed offset), `to` the log
 * start it was moved to; either may be unknown if the broker could not be asked.
 */
export function describeOffsetReset(r: OffsetReset & { from: bigint | null; to: bigint | null }): string {
  const where = `partition ${r.partition} of ${r.topic}`
  const why = 'the broker deleted them before they were written (retention)'
  if (r.from !== null && r.to !== null && r.to > r.from) {
    const n = r.to - r.from
    const range = n === 1n ? `offset ${r.from}` : `offsets ${r.from}–${r.to - 1n}`
    return `Kafka skipped ${n} record${n === 1n ? '' : 's'} of ${where} (${range}): ${why}`
  }
  const at = r.to !== null ? ` to offset ${r.to}` : ''
  return `Kafka reset ${where}${at} because its records were gone: ${why}; how many is unknown`
}
