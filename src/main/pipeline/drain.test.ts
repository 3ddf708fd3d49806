import { describe, expect, it } from 'vitest'
import { drainsWholeGroup } from './drain'

describe('drainsWholeGroup', () => {
  it('has a writer beside other members leave without waiting for the group', () => {
    expect(drainsWholeGroup('write', 2)).toBe(false)
    expect(drainsWholeGroup('write', 3)).toBe(false)
  })
  it('has the last writer, or one that cannot tell, drain the group', () => {
    expect(drainsWholeGroup('write', 1)).toBe(true)
    expect(drainsWholeGroup('write', null)).toBe(true)
  })
  it('leaves role all draining as before, whoever else is in the group', () => {
    expect(drainsWholeGroup('all', 1)).toBe(true)
    expect(drainsWholeGroup('all', 3)).toBe(true)
  })
})
