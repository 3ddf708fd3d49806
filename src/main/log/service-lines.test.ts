import { describe, expect, it } from 'vitest'
import { levelOfLine } from './service-lines'

describe('levelOfLine', () => {
  it('reads the level a broker or PostgreSQL line names', () => {
    expect(levelOfLine('[2026-01-01 10:00:00,000] WARN [RaftManager id=1] slow (org.apache.kafka)')).toBe(
      'warn',
    )
    expect(levelOfLine('[2026-01-01 10:00:00,000] ERROR Exiting Kafka (kafka.Kafka$)')).toBe('error')
    expect(levelOfLine('2026-01-01 10:00:00.000 UTC [42] FATAL:  the database system is starting up')).toBe(
      'error',
    )
    expect(levelOfLine('2026-01-01 10:00:00.000 UTC [42] WARNING:  could not flush dirty data')).toBe('warn')
    expect(levelOfLine('2026-01-01 10:00:00.000 UTC [42] DEBUG1:  checkpoint')).toBe('debug')
    expect(levelOfLine('2026-01-01 10:00:00.000 UTC [42] LOG:  database system is ready')).toBe('info')
  })
})
