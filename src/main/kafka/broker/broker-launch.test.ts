import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import {
  argfileQuote,
  freePort,
  isBindFailure,
  isPortFree,
  retryAfterBindFailure,
  startFailureReason,
} from './broker-launch'

describe('startFailureReason', () => {
  it('picks the last error line without its timestamp', () => {
    const lines = [
      '[2026-11-26T03:22:45,256Z] INFO starting (kafka.server.KafkaRaftServer)',
      '[2026-11-26T03:22:45,300Z] ERROR Exiting Kafka due to fatal exception (kafka.Kafka$)',
      'java.lang.RuntimeException: Failed to acquire lock on file .lock in /d/kafka/data.',
      '[2026-11-26T03:22:45,400Z] INFO shutting down (kafka.server.KafkaRaftServer)',
    ]
    expect(startFailureReason(lines)).toBe(
      'java.lang.RuntimeException: Failed to acquire lock on file .lock in /d/kafka/data.',
    )
    expect(startFailureReason(['[t] INFO fine'])).toBeUndefined()
  })

  it('detects a lost port race', () => {
    expect(
      isBindFailure([
        'org.apache.kafka.common.KafkaException: Socket server failed to bind to 127.0.0.1:9092: Address already in use.',
      ]),
    ).toBe(true)
    expect(isBindFailure(['ERROR something else'])).toBe(false)
  })
})

describe('ports', () => {
  it('sees a listening port as taken and a closed one as free', async () => {
    const port = await freePort()
    expect(await isPortFree(port)).toBe(true)
    const server = createServer()
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r))
    try {
      expect(await isPortFree(port)).toBe(false)
    } finally {
      await new Promise((r) => server.close(r))
    }
  })
})

describe('retryAfterBindFailure', () => {
  const bindErr = Object.assign(new Error('bind'), { bindFailure: true })
  const auto = { autoPorts: true, autoControllerPort: true }
  const named = { autoPorts: false, autoControllerPort: true }

  it('picks new ports when ours were taken, up to the last attempt', () => {
    expect(retryAfterBindFailure(auto, { dataDir: '/d', port: 0 }, bindErr, 1)).toEqual({
      dataDir: '/d',
      port: 0,
    })
    expect(retryAfterBindFailure(auto, { dataDir: '/d' }, bindErr, 2)).toEqual({ dataDir: '/d', port: 0 })
    expect(retryAfterBindFailure(auto, { dataDir: '/d' }, bindErr, 3)).toBeUndefined()
  })

  it('keeps a port the user named and picks a new controller port: the race lost on ours is retried', () => {
    expect(retryAfterBindFailure(named, { dataDir: '/d', port: 41234 }, bindErr, 1)).toEqual({
      dataDir: '/d',
      port: 41234,
    })
  })

  it('gives up when both ports were named, or the failure was not a bind', () => {
    const both = { autoPorts: false, autoControllerPort: false }
    expect(
      retryAfterBindFailure(both, { dataDir: '/d', port: 1, controllerPort: 2 }, bindErr, 1),
    ).toBeUndefined()
    expect(retryAfterBindFailure(auto, { dataDir: '/d' }, new Error('other'), 1)).toBeUndefined()
  })
})

describe('argfileQuote', () => {
  it('keeps an argument whole in a java @argfile: spaces, quotes and backslashes included', () => {
    expect(argfileQuote('SCRAM-SHA-256=[name=tickflow,password=a-b_c]')).toBe(
      '"SCRAM-SHA-256=[name=tickflow,password=a-b_c]"',
    )
    expect(argfileQuote('C:\\my dir\\"x"')).toBe('"C:\\\\my dir\\\\\\"x\\""')
  })
})
