import { describe, expect, it } from 'vitest'
import { connectHint, parseCliArgs } from './kafka-cli'

describe('parseCliArgs', () => {
  it('parses a command with options', () => {
    expect(parseCliArgs(['start', '--data-dir', '/d', '--port', '0', '--heap-mb', '256'], {})).toEqual({
      command: 'start',
      dataDir: '/d',
      port: 0,
      heapMb: 256,
    })
  })

  it('defaults the data dir from the environment', () => {
    expect(parseCliArgs(['status'], { TICKFLOW_DATA_DIR: '/env/tf' }).dataDir).toBe('/env/tf')
  })

  it('rejects unknown commands, extra arguments and bad numbers', () => {
    expect(() => parseCliArgs([], {})).toThrow('usage')
    expect(() => parseCliArgs(['restart'], {})).toThrow('usage')
    expect(() => parseCliArgs(['start', 'now'], {})).toThrow('usage')
    expect(() => parseCliArgs(['start', '--port', '99999'], {})).toThrow('--port')
    expect(() => parseCliArgs(['start', '--port', 'abc'], {})).toThrow('--port')
    expect(() => parseCliArgs(['start', '--verbose'], {})).toThrow()
  })
})

describe('connectHint', () => {
  it('names the settings a client of the broker needs, and where its password is, not the password', () => {
    const hint = connectHint('/d/kafka.password')
    expect(hint).toContain('KAFKA_SASL_MECHANISM=scram-sha-256 KAFKA_SASL_USERNAME=tickflow')
    expect(hint).toContain('KAFKA_SASL_PASSWORD="$(cat /d/kafka.password)"')
  })
})
