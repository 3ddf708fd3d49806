import { describe, expect, it } from 'vitest'
import { chooseDaysToDrop, type DaySize } from './retention-plan'
import { beyondPreview, dayOfIso, isoDay, retentionPreview } from './retention-preview'
import { DAY_MS } from './trade-days'

// Issue 13: the Storage section says what a change would remove before it removes it. The preview
// is the run's own choice (chooseDaysToDrop) over the measured days, said in words.

const GB = 1_000_000_000
const TODAY = Date.UTC(2026, 10, 20) / DAY_MS
const NOON = TODAY * DAY_MS + DAY_MS / 2
/** 2026-11-01 … 2026-11-21 (tomorrow, made ahead of need), 0.42 GB a day */
const DAYS: DaySize[] = Array.from({ length: 21 }, (_, i) => ({ day: TODAY - 19 + i, bytes: 0.42 * GB }))

const preview = (retentionDays: number, budgetGb: number | null, usedGb: number) => {
  const policy = { retentionDays, budgetBytes: budgetGb === null ? null : budgetGb * GB }
  return retentionPreview(
    chooseDaysToDrop({ days: DAYS, nowMs: NOON, policy, usedBytes: usedGb * GB }),
    policy,
  )
}

describe('the preview of a retention change', () => {
  it('names the days a shorter retention removes, oldest first, with their bytes', () => {
    // 14 days at noon of 11-20: every day that ended by noon of 11-06 goes, 11-01 … 11-05.
    const p = preview(14, 20, 8.82)
    expect(p.remove.map((d) => d.date)).toEqual([
      '2026-11-01',
      '2026-11-02',
      '2026-11-03',
      '2026-11-04',
      '2026-11-05',
    ])
    expect(p.remove.every((d) => d.reason === 'age')).toBe(true)
    expect(p.bytes).toBeCloseTo(2.1 * GB)
    expect(p.message).toBe('would remove 5 days, 2.1 GB: 2026-11-01 … 2026-11-05')
    expect([p.retentionDays, p.diskBudgetGb]).toEqual([14, 20])
  })

  it('adds the oldest days a smaller budget needs, and says the budget is why', () => {
    // 8.82 GB used, budget 8: two days of 0.42 GB go, none for age.
    const p = preview(30, 8, 8.82)
    expect(p.remove).toEqual([
      { date: '2026-11-01', bytes: 0.42 * GB, reason: 'budget' },
      { date: '2026-11-02', bytes: 0.42 * GB, reason: 'budget' },
    ])
    expect(p.message).toBe('would remove 2 days, 840.0 MB: 2026-11-01, 2026-11-02')
  })

  it('says so when a change removes nothing, and never names today', () => {
    expect(preview(30, 20, 8.82).message).toBe('would remove nothing')
    const all = preview(1, 0.001, 8.82)
    expect(all.remove.map((d) => d.date)).not.toContain(isoDay(TODAY))
    expect(all.remove).toHaveLength(19)
    // No budget (an external database): only the days count.
    expect(preview(14, null, 1000).remove).toHaveLength(5)
    expect(preview(14, null, 1000).diskBudgetGb).toBeNull()
  })

  it('finds the days a later plan adds beyond the confirmed preview', () => {
    const policy = { retentionDays: 14, budgetBytes: null }
    const later = chooseDaysToDrop({ days: DAYS, nowMs: NOON + DAY_MS, policy, usedBytes: 0 })
    const shown = preview(14, null, 0).remove.map((d) => d.date)
    expect(beyondPreview(later, shown).map((d) => isoDay(d.day))).toEqual(['2026-11-06'])
    expect(beyondPreview(later.slice(0, 5), shown)).toEqual([])
    expect(dayOfIso('2026-11-06')).toBe(TODAY - 14)
  })
})
