import { describe, expect, it } from 'vitest'
import {
  KAFKA_BUDGET_SHARE,
  MAX_PARTITION_BYTES,
  MIN_PARTITION_BYTES,
  partitionRetentionBytes,
  topicSizeConfig,
} from './topic-size'

const MiB = 1024 ** 2

describe('partitionRetentionBytes', () => {
  it('gives each partition its part of the Kafka share of the budget', () => {
    // 5 GB: a fifth is 1 GB, over 3 partitions 333,333,333 bytes each
    expect(partitionRetentionBytes(5, 3)).toBe(Math.floor((5e9 * KAFKA_BUDGET_SHARE) / 3))
    expect(partitionRetentionBytes(2, 1)).toBe(400_000_000)
  })

  it('keeps at least a floor and at most a ceiling per partition', () => {
    expect(partitionRetentionBytes(0.1, 3)).toBe(MIN_PARTITION_BYTES)
    expect(partitionRetentionBytes(20, 3)).toBe(MAX_PARTITION_BYTES) // the default budget: 1 GiB as before
    expect(partitionRetentionBytes(1000, 1)).toBe(MAX_PARTITION_BYTES)
  })

  it('refuses a budget or partition count that makes no sense', () => {
    expect(() => partitionRetentionBytes(0, 3)).toThrow(RangeError)
    expect(() => partitionRetentionBytes(Number.NaN, 3)).toThrow(RangeError)
    expect(() => partitionRetentionBytes(5, 0)).toThrow(RangeError)
  })
})

describe('topicSizeConfig', () => {
  it('sets segments to an eighth of the limit, so retention can delete before the limit is far behind', () => {
    expect(topicSizeConfig(64 * MiB)).toEqual({
      'retention.bytes': String(64 * MiB),
      'segment.bytes': String(8 * MiB),
    })
    expect(topicSizeConfig(4 * MiB)['segment.bytes']).toBe(String(MiB)) // Kafka's smallest
  })
})
