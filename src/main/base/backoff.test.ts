import { describe, expect, it } from 'vitest'
import { backoffDelay, DEFAULT_BACKOFF, nextAttempt } from './backoff'

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
