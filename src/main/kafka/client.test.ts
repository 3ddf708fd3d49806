import { describe, expect, it } from 'vitest'
import {
  createKafka,
  describeConnection,
  isBrokerAddress,
  kafkaConnectionSchema,
  parseBrokerList,
  type KafkaLogEntry,
} from './client'

describe('kafkaConnectionSchema', () => {
  it('accepts a plain local connection', () => {
    expect(kafkaConnectionSchema.parse({ brokers: ['127.0.0.1:9092'] })).toEqual({
      brokers: ['127.0.0.1:9092'],
    })
  })

  it('accepts SSL with SCRAM and trims addresses', () => {
    const conn = {
      brokers: [' kafka-1.example.com:9093 ', '[::1]:9094'],
      clientId: 'tickflow',
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
    }
    expect(kafkaConnectionSchema.parse(conn).brokers).toEqual(['kafka-1.example.com:9093', '[::1]:9094'])
  })

  it('rejects missing brokers, bad addresses, unknown mechanisms and typos', () => {
    expect(kafkaConnectionSchema.safeParse({ brokers: [] }).success).toBe(false)
    expect(kafkaConnectionSchema.safeParse({ brokers: ['localhost'] }).success).toBe(false)
    expect(kafkaConnectionSchema.safeParse({ brokers: ['localhost:99999'] }).success).toBe(false)
    const badMech = { brokers: ['a:1'], sasl: { mechanism: 'gssapi', username: 'u', password: 'p' } }
    expect(kafkaConnectionSchema.safeParse(badMech).success).toBe(false)
    const noPassword = { brokers: ['a:1'], sasl: { mechanism: 'plain', username: 'u', password: '' } }
    expect(kafkaConnectionSchema.safeParse(noPassword).success).toBe(false)
    expect(kafkaConnectionSchema.safeParse({ brokers: ['a:1'], tls: true }).success).toBe(false)
  })
})

describe('isBrokerAddress', () => {
  it('accepts host:port forms', () => {
    for (const a of ['localhost:9092', '10.0.0.1:1', 'b-1.msk.aws.com:9096', '[fe80::1]:9092']) {
      expect(isBrokerAddress(a), a).toBe(true)
    }
  })
  it('rejects the rest', () => {
    for (const a of ['', ':9092', 'host:', 'host:0', 'host:65536', 'http://host:9092', 'a b:1']) {
      expect(isBrokerAddress(a), a).toBe(false)
    }
  })
})

describe('parseBrokerList', () => {
  it('splits on commas and whitespace', () => {
    expect(parseBrokerList(' a:1, b:2 ,,c:3\n')).toEqual(['a:1', 'b:2', 'c:3'])
    expect(parseBrokerList('')).toEqual([])
  })
})

describe('secrets', () => {
  const conn = {
    brokers: ['a:1'],
    sasl: { mechanism: 'plain' as const, username: 'alice', password: 's3cr3t-pw' },
    ssl: true,
  }

  it('describeConnection leaves the password out', () => {
    const text = describeConnection(conn)
    expect(text).toBe('a:1, ssl, sasl plain as alice')
    expect(text).not.toContain('s3cr3t')
  })

  it('createKafka routes client logs through onLog without the password', async () => {
    const entries: KafkaLogEntry[] = []
    // Nothing listens on port 1: the connection error is logged at ERROR level.
    const kafka = createKafka(
      { ...conn, ssl: false, brokers: ['127.0.0.1:1'] },
      { onLog: (e) => entries.push(e), retry: { retries: 0 }, connectionTimeoutMs: 500 },
    )
    const admin = kafka.admin()
    await expect(admin.connect()).rejects.toThrow()
    expect(entries.length).toBeGreaterThan(0)
    expect(entries.some((e) => e.level === 'error')).toBe(true)
    expect(JSON.stringify(entries)).not.toContain('s3cr3t-pw')
  })
})
