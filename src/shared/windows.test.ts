import { describe, expect, it } from 'vitest'
import {
  bucketSecondsFor,
  MAX_RANGE_MS,
  MAX_RUN_WINDOW_MS,
  MAX_SERIES_POINTS,
  needsMinutes,
  resolveWindow,
  watchKey,
  WINDOW_PRESET_LABELS,
  windowSpecSchema,
} from './windows'

const DAY = 86_400_000

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0, 400)

describe('dashboard windows', () => {
  it('slides a preset with the clock, ending on the next whole second', () => {
    expect(resolveWindow({ preset: '5m' }, NOW, null)).toEqual({
      from: NOW - 400 + 1000 - 300_000,
      to: NOW - 400 + 1000,
    })
    const hour = resolveWindow({ preset: '1h' }, NOW, null)
    expect(hour.to - hour.from).toBe(3_600_000)
  })

  it('shows this run from its start, up to now or its stop', () => {
    const running = { startedAt: NOW - 90_500, stoppedAt: null }
    expect(resolveWindow({ preset: 'run' }, NOW, running)).toEqual({ from: NOW - 91_400, to: NOW + 600 })
    const stopped = { startedAt: NOW - 90_500, stoppedAt: NOW - 30_000 }
    expect(resolveWindow({ preset: 'run' }, NOW, stopped)).toEqual({ from: NOW - 91_400, to: NOW - 29_400 })
    // No run yet: the last five minutes; a run longer than a day: its last day.
    expect(resolveWindow({ preset: 'run' }, NOW, null)).toEqual(resolveWindow({ preset: '5m' }, NOW, null))
    const long = resolveWindow({ preset: 'run' }, NOW, { startedAt: NOW - 3 * DAY, stoppedAt: null })
    expect(long.to - long.from).toBe(MAX_RUN_WINDOW_MS)
    expect(MAX_RUN_WINDOW_MS).toBe(DAY)
  })

  it('keeps a custom range as given and refuses a backwards or over-long one', () => {
    expect(resolveWindow({ from: 1000, to: 5000 }, NOW, null)).toEqual({ from: 1000, to: 5000 })
    expect(windowSpecSchema.safeParse({ from: 5000, to: 1000 }).success).toBe(false)
    expect(windowSpecSchema.safeParse({ from: 0, to: MAX_RANGE_MS + 1 }).success).toBe(false)
    // up to the minute rollups' age: 400 days, no longer 24 hours
    expect(windowSpecSchema.safeParse({ from: 0, to: 30 * DAY }).success).toBe(true)
    expect(windowSpecSchema.safeParse({ from: 0, to: 400 * DAY }).success).toBe(true)
    expect(windowSpecSchema.safeParse({ from: 0, to: 400 * DAY + 1 }).error?.issues[0]?.message).toBe(
      'a custom range spans at most 400 days',
    )
  })

  it('has presets of a day, a week and a month, from the whole hour, labelled as the picker shows them', () => {
    const at = NOW + 37 * 60_000 + 12_345
    for (const [preset, days, bucketS] of [
      ['24h', 1, 3600],
      ['7d', 7, 3600],
      ['30d', 30, 7200],
    ] as const) {
      const w = resolveWindow({ preset }, at, null)
      expect(w.to).toBe(at - 400 - 12_345 + 13_000)
      // 12:00 (days before) to 12:37:13: the first hour is whole
      expect(w.from).toBe(NOW - 400 - days * DAY)
      expect(w.to - w.from).toBe(days * DAY + 37 * 60_000 + 13_000)
      // the extra part-hour does not widen the buckets
      expect(bucketSecondsFor(w.to - w.from, 1)).toBe(bucketS)
    }
    expect(WINDOW_PRESET_LABELS['24h']).toBe('Last 24 hours')
    expect(WINDOW_PRESET_LABELS['7d']).toBe('Last 7 days')
    expect(WINDOW_PRESET_LABELS['30d']).toBe('Last 30 days')
  })

  it('widens buckets with the window, on multiples of the rate and of a minute past 30 minutes', () => {
    expect(bucketSecondsFor(300_000, 1)).toBe(1)
    expect(bucketSecondsFor(1_800_000, 1)).toBe(5)
    expect(bucketSecondsFor(3_600_000, 1)).toBe(60)
    expect(bucketSecondsFor(DAY - 3_600_000, 1)).toBe(300)
    expect(bucketSecondsFor(300_000, 7)).toBe(7)
    expect(bucketSecondsFor(3_600_000, 7) % 420).toBe(0)
  })

  it('cuts windows of a day or more into whole hours, then days, within MAX_SERIES_POINTS', () => {
    // the hour rollups (sql/012) serve whole-hour buckets only
    expect(bucketSecondsFor(DAY - 1000, 1)).toBe(300)
    expect(bucketSecondsFor(DAY, 1)).toBe(3600)
    expect(bucketSecondsFor(7 * DAY, 1)).toBe(3600)
    expect(bucketSecondsFor(30 * DAY, 1)).toBe(7200)
    expect(bucketSecondsFor(90 * DAY, 1)).toBe(21_600)
    expect(bucketSecondsFor(91 * DAY, 1)).toBe(43_200)
    expect(bucketSecondsFor(MAX_RANGE_MS, 1)).toBe(172_800)
    expect(bucketSecondsFor(30 * DAY, 7) % (7 * 3600)).toBe(0)
    for (const days of [1, 1.5, 2, 3, 7, 14, 30, 60, 90, 180, 365, 400]) {
      const b = bucketSecondsFor(days * DAY, 1)
      expect(b % 3600, `${days} d`).toBe(0)
      expect((days * DAY) / 1000 / b, `${days} d`).toBeLessThanOrEqual(MAX_SERIES_POINTS)
    }
  })

  it('reads a window in whole minutes when it starts before the 1 s rollups kept', () => {
    const oldest = 40 * DAY + 5 * 3_600_000 // a trade at 05:00 of day 40: its day is kept whole
    expect(needsMinutes(40 * DAY, oldest)).toBe(false)
    expect(needsMinutes(40 * DAY - 1, oldest)).toBe(true)
    expect(needsMinutes(0, null)).toBe(false)
    expect(bucketSecondsFor(300_000, 1, true)).toBe(60)
    expect(bucketSecondsFor(300_000, 7, true)).toBe(420)
    expect(bucketSecondsFor(DAY, 1, true)).toBe(3600)
  })

  it('gives clients that watch the same thing one key', () => {
    expect(watchKey({ window: { preset: '5m' } })).toBe(watchKey({ window: { preset: '5m' } }))
    expect(watchKey({ window: { preset: '5m' }, symbol: 'AAPL' })).not.toBe(
      watchKey({ window: { preset: '5m' } }),
    )
    expect(watchKey({ window: { from: 1, to: 2 } })).toBe('1-2|')
  })
})
