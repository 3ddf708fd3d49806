import { describe, expect, it } from 'vitest'
import { hasLonePoint } from './series'

describe('hasLonePoint', () => {
  it('finds a point with no drawn neighbour, at the ends and between gaps', () => {
    expect(hasLonePoint([5])).toBe(true)
    expect(hasLonePoint([null, 5, null])).toBe(true)
    expect(hasLonePoint([1, 2, null, 5])).toBe(true)
    expect(hasLonePoint([1, 2, null, 4, 5])).toBe(false)
    expect(hasLonePoint([null, null])).toBe(false)
    expect(hasLonePoint([])).toBe(false)
  })
})
