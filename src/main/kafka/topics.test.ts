import { describe, expect, it } from 'vitest'
import { isTopicAlreadyExistsError, validateTopic } from './topics'

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
