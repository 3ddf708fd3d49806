import { describe, expect, it } from 'vitest'
import {
  formatAmount,
  formatAxisTime,
  formatCompact,
  formatMs,
  formatNumber,
  formatPercent,
  formatPrice,
  formatTime,
} from './format'

// 2024-01-15 09:05:30.250 UTC
const T = Date.UTC(2024, 0, 15, 9, 5, 30, 250)
const US = { timeZone: 'utc', locale: 'en-US' } as const
const DE = { timeZone: 'utc', locale: 'de-DE' } as const

// ICU may put a narrow no-break space before AM/PM; compare with plain spaces.
const plain = (s: string): string => s.replace(/[\u202f\u00a0]/g, ' ')

describe('formatTime', () => {
  it('shows UTC clock times, labelled, per locale', () => {
    expect(plain(formatTime(T, US))).toBe('09:05:30 AM UTC')
    expect(formatTime(T, DE)).toBe('09:05:30 UTC')
  })
  it('adds the day when asked', () => {
    expect(plain(formatTime(T, US, true))).toBe('Jan 15, 09:05:30 AM UTC')
    expect(formatTime(T, DE, true)).toBe('15. Jan., 09:05:30 UTC')
  })
  it('leaves the label off axis ticks and local times', () => {
    expect(formatAxisTime(T, DE)).toBe('09:05:30')
    expect(formatTime(T, { timeZone: 'local', locale: 'de-DE' })).not.toMatch(/UTC/)
  })
  it('survives a malformed locale', () => {
    expect(formatTime(T, { timeZone: 'utc', locale: 'not a locale!' })).toMatch(/05:30.*UTC$/)
  })
})

describe('numbers', () => {
  it('uses the locale separators', () => {
    expect(formatNumber(1234567.891, 'en-US')).toBe('1,234,567.89')
    expect(formatNumber(1234567.891, 'de-DE')).toBe('1.234.567,89')
    expect(formatNumber(2.5, 'en-US', 0)).toBe('3')
  })
  it('gives small amounts significant digits', () => {
    expect(formatAmount(0.0023456, 'en-US')).toBe('0.00235')
    expect(formatAmount(0.0023456, 'de-DE')).toBe('0,00235')
    expect(formatAmount(1234.5678, 'en-US')).toBe('1,234.57')
    expect(formatAmount(0, 'en-US')).toBe('0')
  })
  it('shortens axis numbers', () => {
    expect(formatCompact(12_345, 'en-US')).toBe('12.3K')
    expect(plain(formatCompact(1_500_000, 'de-DE'))).toBe('1,5 Mio.')
    // small crypto volumes keep their digits instead of all reading 0
    expect(formatCompact(0.0234, 'en-US')).toBe('0.023')
    expect(formatCompact(0, 'en-US')).toBe('0')
  })
  it('formats percentages', () => {
    expect(formatPercent(0.4667, 'en-US')).toBe('46.7%')
    expect(plain(formatPercent(0.4667, 'de-DE'))).toBe('46,7 %')
  })
  it('gives prices the decimals their magnitude needs', () => {
    expect(formatPrice(60123.456, 'en-US')).toBe('60,123.46')
    expect(formatPrice(171.5, 'en-US')).toBe('171.50')
    expect(formatPrice(1.085634, 'en-US')).toBe('1.08563')
    expect(formatPrice(1.085634, 'de-DE')).toBe('1,08563')
    expect(formatPrice(0.000012345678, 'en-US')).toBe('0.0000123457')
    expect(formatPrice(0, 'en-US')).toBe('0.00')
  })
})

describe('formatMs', () => {
  it('keeps ms below 10 s, then switches to s, min and h', () => {
    expect(formatMs(2.345, 'en-US')).toBe('2.35 ms')
    expect(formatMs(312.4, 'en-US')).toBe('312 ms')
    expect(formatMs(9_999, 'de-DE')).toBe('9.999 ms')
    expect(formatMs(12_345, 'en-US')).toBe('12.3 s')
    expect(formatMs(12_345, 'de-DE')).toBe('12,3 s')
    expect(formatMs(238_000, 'en-US')).toBe('3 min 58 s')
    expect(formatMs(7_500_000, 'en-US')).toBe('2 h 5 min')
  })
})
