import { describe, expect, it } from 'vitest'
import { LagHistory } from './lag-history'

describe('LagHistory', () => {
  it('keeps the highest lag per bucket, stamped at the epoch-aligned bucket start', () => {
    const h = new LagHistory()
    for (const [at, lag] of [
      [10_000, 5],
      [11_000, 9],
      [14_999, 2],
      [15_000, 1],
      [21_000, 0],
    ] as const)
      h.add(at, lag)
    expect(h.range(0, 100_000, 5000)).toEqual([
      { at: 10_000, lag: 9 },
      { at: 15_000, lag: 1 },
      { at: 20_000, lag: 0 },
    ])
    expect(h.range(0, 100_000, 1000)).toHaveLength(5)
  })

  it('takes samples inside [from, to) only', () => {
    const h = new LagHistory()
    h.add(999, 100)
    h.add(1000, 1)
    h.add(1999, 2)
    h.add(2000, 100)
    expect(h.range(1000, 2000, 1000)).toEqual([{ at: 1000, lag: 2 }])
  })

  it('drops the oldest samples beyond its capacity', () => {
    const h = new LagHistory(3)
    for (let i = 0; i < 5; i++) h.add(i * 1000, i)
    expect(h.size).toBe(3)
    expect(h.range(0, 10_000, 1000)).toEqual([
      { at: 2000, lag: 2 },
      { at: 3000, lag: 3 },
      { at: 4000, lag: 4 },
    ])
    h.clear()
    expect(h.range(0, 10_000, 1000)).toEqual([])
  })

  it('keeps buckets in order when the clock stepped back, and skips non-finite samples', () => {
    const h = new LagHistory()
    h.add(5000, 1)
    h.add(3000, 7)
    h.add(5500, 4)
    h.add(6000, Number.NaN)
    expect(h.range(0, 10_000, 1000)).toEqual([
      { at: 3000, lag: 7 },
      { at: 5000, lag: 4 },
    ])
  })
})
