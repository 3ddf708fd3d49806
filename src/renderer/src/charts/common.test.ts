import { describe, expect, it } from 'vitest'
import { categoryLabelWidth, hasLonePoint } from './common'

describe('categoryLabelWidth', () => {
  it('keeps four symbols inside their slots, so hideOverlap hides none of them', () => {
    expect(categoryLabelWidth(4) * 4).toBeLessThan(280)
  })

  it('stays between 36 and 90 px', () => {
    expect(categoryLabelWidth(1)).toBe(90)
    expect(categoryLabelWidth(50)).toBe(36)
  })
})

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
