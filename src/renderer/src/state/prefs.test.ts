import { describe, expect, it } from 'vitest'
import { initialDashboard } from './dashboard'
import { parsePrefs, prefsOf, PREFS_KEY, readPrefs, withPrefs, writePrefs } from './prefs'

describe('prefs', () => {
  it('round-trips through storage', () => {
    const map = new Map<string, string>()
    const storage = {
      getItem: (k: string) => map.get(k) ?? null,
      setItem: (k: string, v: string) => void map.set(k, v),
    }
    const s = withPrefs(initialDashboard, {
      watch: { window: { preset: 'run' }, symbol: 'AAPL' },
      timeZone: 'utc',
      latencyStage: 'kafka_to_db',
    })
    writePrefs(() => storage, s)
    expect(map.has(PREFS_KEY)).toBe(true)
    expect(readPrefs(() => storage)).toEqual(prefsOf(s))
  })

  it('keeps the valid fields only', () => {
    const text = JSON.stringify({
      watch: { window: { preset: 'week' } },
      timeZone: 'utc',
      sideCollapsed: 'yes',
    })
    expect(parsePrefs(text)).toEqual({ timeZone: 'utc' })
    expect(parsePrefs('not json')).toEqual({})
    expect(parsePrefs('null')).toEqual({})
    expect(parsePrefs(null)).toEqual({})
  })

  it('survives a storage that throws', () => {
    const throwing = () => {
      throw new Error('denied')
    }
    expect(readPrefs(throwing)).toEqual({})
    expect(() => writePrefs(throwing, initialDashboard)).not.toThrow()
  })
})
