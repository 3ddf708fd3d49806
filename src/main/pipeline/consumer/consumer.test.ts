import { describe, expect, it } from 'vitest'
import { HEARTBEAT_SLICE_MS, pauseSlices } from './consumer'

describe('pauseSlices', () => {
  it('cuts the longest retry pause into slices a 10 s session outlives, losing no time', () => {
    const slices = pauseSlices(10_000, HEARTBEAT_SLICE_MS)
    expect(Math.max(...slices)).toBeLessThanOrEqual(3_000)
    expect(slices.reduce((a, b) => a + b, 0)).toBe(10_000)
  })
  it('ends with the remainder, and leaves a short pause whole', () => {
    expect(pauseSlices(4_500, 2_000)).toEqual([2_000, 2_000, 500])
    expect(pauseSlices(500, 2_000)).toEqual([500])
    expect(pauseSlices(0, 2_000)).toEqual([])
  })
})
