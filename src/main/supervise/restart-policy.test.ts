import { describe, expect, it } from 'vitest'
import { backoffDelay, nextAttempt } from '../base/backoff'
import { describeExit, seconds, SERVICE_BACKOFF } from './restart-policy'

describe('the service backoff', () => {
  const low = (): number => 0
  const high = (): number => 1
  it('doubles from 1 s and is capped at 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((a) => backoffDelay(a, SERVICE_BACKOFF, high))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
    ])
  })
  it('keeps at least half the delay whatever the jitter', () => {
    expect(backoffDelay(1, SERVICE_BACKOFF, low)).toBe(500)
    expect(backoffDelay(30, SERVICE_BACKOFF, low)).toBe(15_000)
  })
})

describe('nextAttempt', () => {
  it('counts up while the process keeps dying soon after a start', () => {
    expect(nextAttempt(0, 5_000, SERVICE_BACKOFF)).toBe(1)
    expect(nextAttempt(3, 59_999, SERVICE_BACKOFF)).toBe(4)
  })
  it('starts over after a process that ran a good while', () => {
    expect(nextAttempt(6, 60_000, SERVICE_BACKOFF)).toBe(1)
  })
})

describe('describeExit', () => {
  it('says how a process ended', () => {
    expect(describeExit({ code: null, signal: 'SIGKILL' })).toBe('was killed by SIGKILL')
    expect(describeExit({ code: 1, signal: null })).toBe('exited with code 1')
    expect(describeExit({ code: null, signal: null })).toBe('exited')
  })
  it('formats seconds for a notice', () => {
    expect(seconds(1_000)).toBe('1.0 s')
    expect(seconds(30_000)).toBe('30 s')
  })
})
