import { describe, expect, it } from 'vitest'
import { lagOf, nextOffset, partitionLagsOf } from './offsets'

describe('offset bookkeeping', () => {
  it('commits the offset after the last one written', () => {
    expect(nextOffset('0')).toBe('1')
    expect(nextOffset('9007199254740993')).toBe('9007199254740994')
  })

  it('computes lag from high watermarks and committed offsets', () => {
    const ends = [
      { partition: 0, high: '100', low: '0' },
      { partition: 1, high: '50', low: '10' },
      { partition: 2, high: '7', low: '0' },
    ]
    // partition 1 has no commit yet (-1): its lag counts from the log start
    expect(
      lagOf(
        ends,
        new Map([
          [0, 90n],
          [1, -1n],
          [2, 7n],
        ]),
      ),
    ).toBe(10n + 40n)
    expect(lagOf(ends, new Map())).toBe(100n + 40n + 7n)
  })

  it('gives each partition its own lag, never below zero', () => {
    const ends = [
      { partition: 0, high: '100', low: '0' },
      { partition: 1, high: '50', low: '10' },
    ]
    // a commit past the end (a recreated topic) is no negative lag
    expect(partitionLagsOf(ends, new Map([[0, 120n]]))).toEqual([
      { partition: 0, lag: 0n },
      { partition: 1, lag: 40n },
    ])
  })
})
