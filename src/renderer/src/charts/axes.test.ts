import { describe, expect, it } from 'vitest'
import { categoryLabelWidth } from './axes'

describe('categoryLabelWidth', () => {
  it('keeps four symbols inside their slots, so hideOverlap hides none of them', () => {
    expect(categoryLabelWidth(4) * 4).toBeLessThan(280)
  })

  it('stays between 36 and 90 px', () => {
    expect(categoryLabelWidth(1)).toBe(90)
    expect(categoryLabelWidth(50)).toBe(36)
  })
})
