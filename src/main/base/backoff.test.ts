import { describe, expect, it } from 'vitest'
import { backoffDelay, DEFAULT_BACKOFF, nextAttempt, RESTART_BACKOFF } from './backoff'

const opts = { initialMs: 100, maxMs: 1_000, factor: 2 }

describe('backoffDelay', () => {
  it('grows exponentially and stays within [base/2, base]', () => {
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, opts, () => 0))).toEqual([50, 100, 200, 400])
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, opts, () => 0.999999))).toEqual([100, 200, 400, 800])
  })

  it('is capped', () => {
    expect(backoffDelay(50, opts, () => 0.999999)).toBe(1_000)
    expect(backoffDelay(1_000, DEFAULT_BACKOFF, () => 0.999999)).toBe(DEFAULT_BACKOFF.maxMs)
  })

  it('jitters between clients', () => {
    const delays = new Set(Array.from({ length: 20 }, () => backoffDelay(5, opts)))
    expect(delays.size).toBeGreaterThan(1)
  })
})

describe('nextAttempt', () => {
  it('starts over only after a run of stableMs or more', () => {
    const stable = { ...opts, stableMs: 1_000 }
    expect(nextAttempt(3, 999, stable)).toBe(4)
    expect(nextAttempt(3, 1_000, stable)).toBe(1)
  })

  it('never starts over without a stableMs', () => {
    expect(nextAttempt(3, 1e9, opts)).toBe(4)
  })
})

// The writer's and the services' restarts: one policy (consumer-thread.ts says who restarts what).
describe('RESTART_BACKOFF', () => {
  const low = (): number => 0
  const high = (): number => 1
  it('doubles from 1 s and is capped at 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((a) => backoffDelay(a, RESTART_BACKOFF, high))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
    ])
  })
  it('keeps at least half the delay whatever the jitter', () => {
    expect(backoffDelay(1, RESTART_BACKOFF, low)).toBe(500)
    expect(backoffDelay(30, RESTART_BACKOFF, low)).toBe(15_000)
  })
  it('counts up while the run keeps failing soon after a start', () => {
    expect(nextAttempt(0, 5_000, RESTART_BACKOFF)).toBe(1)
    expect(nextAttempt(3, 59_999, RESTART_BACKOFF)).toBe(4)
  })
  it('starts over after a run that lasted a good while', () => {
    expect(nextAttempt(6, 60_000, RESTART_BACKOFF)).toBe(1)
  })
})
