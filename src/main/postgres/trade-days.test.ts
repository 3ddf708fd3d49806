import { describe, expect, it } from 'vitest'
import { DAY_MS, dayOf, dayText, missingDays } from './trade-days'

describe('trade days', () => {
  it('numbers UTC days, and prints them as PostgreSQL dates', () => {
    const t = Date.UTC(2024, 1, 29, 23, 59, 59, 999)
    expect(dayText(dayOf(t))).toBe('2024-02-29')
    expect(dayText(dayOf(t + 1))).toBe('2024-03-01')
    expect(dayOf(0)).toBe(0)
    expect(dayText(0)).toBe('1970-01-01')
  })

  it('asks for each unknown day and the day after the newest, once, in order', () => {
    const d = dayOf(Date.UTC(2026, 11, 7, 12))
    const stamps = [d * DAY_MS + 5, (d - 400) * DAY_MS, d * DAY_MS + 9, (d - 400) * DAY_MS + 1]
    expect(missingDays(stamps, new Set())).toEqual([d - 400, d, d + 1])
    expect(missingDays(stamps, new Set([d, d + 1]))).toEqual([d - 400])
    expect(missingDays(stamps, new Set([d - 400, d, d + 1]))).toEqual([])
    expect(missingDays([], new Set())).toEqual([])
  })

  it('makes tomorrow while today is known, so a steady stream never waits for a day at midnight', () => {
    const d = dayOf(Date.now())
    expect(missingDays([d * DAY_MS + 1], new Set([d]))).toEqual([d + 1])
  })
})
