import { describe, expect, it } from 'vitest'
import { bucketSecondsFor, MAX_RANGE_MS, resolveWindow, watchKey, windowSpecSchema } from './windows'

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
    const long = resolveWindow({ preset: 'run' }, NOW, { startedAt: NOW - 3 * MAX_RANGE_MS, stoppedAt: null })
    expect(long.to - long.from).toBe(MAX_RANGE_MS)
  })

  it('keeps a custom range as given and refuses a backwards or over-long one', () => {
    expect(resolveWindow({ from: 1000, to: 5000 }, NOW, null)).toEqual({ from: 1000, to: 5000 })
    expect(windowSpecSchema.safeParse({ from: 5000, to: 1000 }).success).toBe(false)
    expect(windowSpecSchema.safeParse({ from: 0, to: MAX_RANGE_MS + 1 }).success).toBe(false)
  })

  it('widens buckets with the window, on multiples of the rate and of a minute past 30 minutes', () => {
    expect(bucketSecondsFor(300_000, 1)).toBe(1)
    expect(bucketSecondsFor(1_800_000, 1)).toBe(5)
    expect(bucketSecondsFor(3_600_000, 1)).toBe(60)
    expect(bucketSecondsFor(MAX_RANGE_MS, 1)).toBe(300)
    expect(bucketSecondsFor(300_000, 7)).toBe(7)
    expect(bucketSecondsFor(3_600_000, 7) % 420).toBe(0)
  })

  it('gives clients that watch the same thing one key', () => {
    expect(watchKey({ window: { preset: '5m' } })).toBe(watchKey({ window: { preset: '5m' } }))
    expect(watchKey({ window: { preset: '5m' }, symbol: 'AAPL' })).not.toBe(
      watchKey({ window: { preset: '5m' } }),
    )
    expect(watchKey({ window: { from: 1, to: 2 } })).toBe('1-2|')
  })
})
