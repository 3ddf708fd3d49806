import { describe, expect, it } from 'vitest'
import { describeOffsetReset, isStalled, mayBeStalled, offsetResetOf } from './consumer-health'

describe('isStalled', () => {
  const base = { now: 100_000, lastActivityAt: 60_000, inHand: 0, lag: 5, stallMs: 30_000 }

  it('is stalled when records wait, nothing is in hand and nothing happened for stallMs', () => {
    expect(isStalled(base)).toBe(true)
    expect(isStalled({ ...base, lastActivityAt: 70_000 })).toBe(true) // exactly stallMs
  })

  it('is not stalled while recently active, idle with no lag, or busy retrying a write', () => {
    expect(isStalled({ ...base, lastActivityAt: 70_001 })).toBe(false)
    expect(isStalled({ ...base, lag: 0 })).toBe(false)
    expect(isStalled({ ...base, inHand: 1 })).toBe(false)
  })

  it('does not guess when the lag is unknown', () => {
    expect(isStalled({ ...base, lag: null })).toBe(false)
  })

  it('mayBeStalled is the same test without the lag, so the broker is asked only then', () => {
    expect(mayBeStalled(base)).toBe(true)
    expect(mayBeStalled({ ...base, inHand: 2 })).toBe(false)
    expect(mayBeStalled({ ...base, now: 65_000 })).toBe(false)
  })
})

describe('offsetResetOf', () => {
  const extra = { topic: 'trades', partition: 2, groupId: 'g', memberId: 'm' }

  it("recognises kafkajs 2.2's reset line, with its topic and partition", () => {
    const entry = { message: 'Offset out of range, resetting to default offset', extra }
    expect(offsetResetOf(entry)).toEqual({ topic: 'trades', partition: 2 })
  })

  it('recognises the older wording', () => {
    expect(offsetResetOf({ message: 'Resetting offset to earliest', extra })).toEqual({
      topic: 'trades',
      partition: 2,
    })
  })

  it('ignores the follower retry (no reset), other errors, and lines without coordinates', () => {
    const follower = 'Offset out of range while fetching from follower, retrying with leader'
    expect(offsetResetOf({ message: follower, extra })).toBeNull()
    expect(offsetResetOf({ message: 'Crash: KafkaJSNumberOfRetriesExceeded', extra })).toBeNull()
    const bare = { message: 'Offset out of range, resetting to default offset', extra: {} }
    expect(offsetResetOf(bare)).toBeNull()
  })
})

describe('describeOffsetReset', () => {
  const r = { topic: 'trades', partition: 1 }

  it('names the partition, the skipped range and how many records', () => {
    const text = describeOffsetReset({ ...r, from: 5n, to: 10n })
    expect(text).toContain('skipped 5 records of partition 1 of trades (offsets 5–9)')
    expect(text).toContain('retention')
    expect(describeOffsetReset({ ...r, from: 7n, to: 8n })).toContain(
      'skipped 1 record of partition 1 of trades (offset 7)',
    )
  })

  it('says so when the start or the end is unknown', () => {
    expect(describeOffsetReset({ ...r, from: null, to: 10n })).toMatch(
      /reset partition 1 of trades to offset 10.*unknown/,
    )
    expect(describeOffsetReset({ ...r, from: 5n, to: null })).toMatch(
      /reset partition 1 of trades because.*unknown/,
    )
  })
})
