import { describe, expect, it } from 'vitest'
import { checkCustomRange, fromInputValue, toInputValue } from './time-range'

const t = Date.UTC(2024, 4, 1, 13, 45)

describe('datetime-local values', () => {
  it('round-trips in UTC and in the local zone', () => {
    expect(toInputValue(t, 'utc')).toBe('2024-05-01T13:45')
    expect(fromInputValue('2024-05-01T13:45', 'utc')).toBe(t)
    expect(fromInputValue(toInputValue(t, 'local'), 'local')).toBe(t)
    expect(fromInputValue('2024-05-01T13:45:30', 'utc')).toBe(t + 30_000)
  })
  it('refuses what is not a date and time', () => {
    expect(fromInputValue('', 'utc')).toBeNull()
    expect(fromInputValue('2024-05-01', 'utc')).toBeNull()
  })
})

describe('checkCustomRange', () => {
  it('accepts a range up to a day', () => {
    expect(checkCustomRange('2024-05-01T00:00', '2024-05-02T00:00', 'utc')).toEqual({
      ok: true,
      from: Date.UTC(2024, 4, 1),
      to: Date.UTC(2024, 4, 2),
    })
  })
  it('refuses missing, reversed and too long ranges', () => {
    expect(checkCustomRange('', '2024-05-02T00:00', 'utc')).toMatchObject({ ok: false })
    expect(checkCustomRange('2024-05-01T00:00', '', 'utc')).toMatchObject({ ok: false })
    expect(checkCustomRange('2024-05-01T10:00', '2024-05-01T10:00', 'utc')).toEqual({
      ok: false,
      message: 'the end must be after the start',
    })
    expect(checkCustomRange('2024-05-01T00:00', '2025-06-05T00:01', 'utc')).toEqual({
      ok: false,
      message: 'a custom range spans at most 400 days',
    })
    // a month, once refused at 24 hours
    expect(checkCustomRange('2024-05-01T00:00', '2024-05-31T00:00', 'utc')).toMatchObject({ ok: true })
  })
})
