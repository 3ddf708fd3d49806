import { describe, expect, it } from 'vitest'
import { isTopicAlreadyExistsError, retentionWarning, TOPIC_CONFIG, validateTopic } from './topics'

describe('isTopicAlreadyExistsError', () => {
  it('recognises the plain and the aggregate form kafkajs throws', () => {
    expect(isTopicAlreadyExistsError({ type: 'TOPIC_ALREADY_EXISTS' })).toBe(true)
    expect(isTopicAlreadyExistsError({ errors: [{ type: 'TOPIC_ALREADY_EXISTS' }] })).toBe(true)
  })

  it('does not swallow other failures', () => {
    expect(isTopicAlreadyExistsError(new Error('boom'))).toBe(false)
    expect(isTopicAlreadyExistsError({ errors: [] })).toBe(false)
    expect(
      isTopicAlreadyExistsError({ errors: [{ type: 'TOPIC_ALREADY_EXISTS' }, { type: 'POLICY_VIOLATION' }] }),
    ).toBe(false)
    expect(isTopicAlreadyExistsError(undefined)).toBe(false)
  })
})

describe('validateTopic', () => {
  it('accepts legal names', () => {
    expect(() => validateTopic('trades.v1_test-2', 3)).not.toThrow()
  })
  it('rejects illegal names and partition counts', () => {
    expect(() => validateTopic('', 1)).toThrow()
    expect(() => validateTopic('has space', 1)).toThrow()
    expect(() => validateTopic('BINANCE:BTCUSDT', 1)).toThrow()
    expect(() => validateTopic('..', 1)).toThrow()
    expect(() => validateTopic('x'.repeat(250), 1)).toThrow()
    expect(() => validateTopic('ok', 0)).toThrow()
    expect(() => validateTopic('ok', 1.5)).toThrow()
  })
})

describe('TOPIC_CONFIG', () => {
  it('never deletes by age (stamps can be old) and bounds the size instead', () => {
    expect(TOPIC_CONFIG['retention.ms']).toBe('-1')
    expect(Number(TOPIC_CONFIG['retention.bytes'])).toBeGreaterThan(0)
    // CreateTime: the record timestamp is our receive time, and received_at is read from it.
    expect(TOPIC_CONFIG['message.timestamp.type']).toBe('CreateTime')
  })
})

describe('retentionWarning', () => {
  const cfg = (
    ms: string | null,
    type = 'CreateTime',
  ): { configName: string; configValue: string | null }[] => [
    { configName: 'retention.ms', configValue: ms },
    { configName: 'message.timestamp.type', configValue: type },
  ]

  it('warns about time-based retention on CreateTime stamps, in hours', () => {
    const w = retentionWarning('trades', cfg('604800000'))
    expect(w).toContain('topic trades deletes records whose timestamp is older than 168 h')
    expect(w).toContain('retention.ms=-1')
  })

  it('is quiet for unlimited retention, append-time stamps and unknown values', () => {
    expect(retentionWarning('trades', cfg('-1'))).toBeNull()
    expect(retentionWarning('trades', cfg('604800000', 'LogAppendTime'))).toBeNull()
    expect(retentionWarning('trades', cfg(null))).toBeNull()
    expect(retentionWarning('trades', [])).toBeNull()
  })
})
