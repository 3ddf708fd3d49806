import * as kafkajs from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { HANDSHAKE_HINT, handshakeHint, withHandshakeHint } from './handshake-hint'

const { KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded } = kafkajs
// What kafkajs throws when the broker hangs up; exported at runtime, not in its types.
const { KafkaJSConnectionClosedError } = kafkajs as unknown as {
  KafkaJSConnectionClosedError: new (message: string, where: { host: string; port: number }) => Error
}
const closed = (): Error => new KafkaJSConnectionClosedError('Closed connection', { host: 'h', port: 1 })
const sasl = { mechanism: 'plain' as const, username: 'u', password: 'p' }

describe('the hint for a broker that hangs up during the handshake (L10)', () => {
  it('names every setting that could be missing', () => {
    for (const s of [
      'SASL',
      'TLS',
      'KAFKA_SSL',
      'KAFKA_SASL_MECHANISM',
      'KAFKA_SASL_USERNAME',
      'KAFKA_SASL_PASSWORD',
    ])
      expect(HANDSHAKE_HINT).toContain(s)
  })

  it('finds the closed connection under what kafkajs and Tickflow wrap it in', () => {
    expect(handshakeHint(closed(), {})).toBe(HANDSHAKE_HINT)
    const retried = new KafkaJSNumberOfRetriesExceeded(closed(), { retryCount: 5, retryTime: 100 })
    expect(handshakeHint(retried, {})).toBe(HANDSHAKE_HINT)
    const wrapped = new Error('cannot reach Kafka at h:1: Closed connection', {
      cause: new KafkaJSNonRetriableError(closed()),
    })
    expect(handshakeHint(wrapped, {})).toBe(HANDSHAKE_HINT)
    // a message that crossed a thread
    expect(handshakeHint('consumer: Closed connection', {})).toBe(HANDSHAKE_HINT)
  })

  it('applies while TLS or SASL is not set, not to other errors', () => {
    expect(handshakeHint(closed(), { sasl })).toBe(HANDSHAKE_HINT)
    expect(handshakeHint(closed(), { ssl: true })).toBe(HANDSHAKE_HINT)
    expect(handshakeHint(closed(), { ssl: true, sasl })).toBeNull()
    expect(handshakeHint(new Error('connect ECONNREFUSED 127.0.0.1:1'), {})).toBeNull()
    expect(handshakeHint(new Error('SASL PLAIN authentication failed'), {})).toBeNull()
  })

  it('adds itself to a message once', () => {
    const once = withHandshakeHint('cannot reach Kafka at h:1: Closed connection', closed(), {})
    expect(once).toBe(`cannot reach Kafka at h:1: Closed connection (${HANDSHAKE_HINT})`)
    expect(withHandshakeHint(once, new Error(once), {})).toBe(once)
    expect(withHandshakeHint('other', new Error('other'), {})).toBe('other')
  })
})
