import { describe, expect, it } from 'vitest'
import { ZodError } from 'zod'
import { describeSettingsError, parseFlags, resolveSettings } from '../config'
import { storedSettingsSchema } from '../settings/schema'
import { chooseDaysToDrop, retentionNotice, retentionPolicy, type DaySize } from './retention-plan'
import { DAY_MS } from './trade-days'

// Issue 13, "Retention under a budget": which day partitions go, and when retention runs at all.

const TODAY = 20_000 // a UTC day number
const NOON = TODAY * DAY_MS + DAY_MS / 2
const GB = 1_000_000_000

/** Days TODAY-n .. TODAY+1 (tomorrow is made ahead of need), 1 GB each. */
const span = (n: number): DaySize[] =>
  Array.from({ length: n + 2 }, (_, i) => ({ day: TODAY - n + i, bytes: GB }))

const chosen = (days: DaySize[], retentionDays: number, budgetGb: number | null, usedGb: number) =>
  chooseDaysToDrop({
    days,
    nowMs: NOON,
    policy: { retentionDays, budgetBytes: budgetGb === null ? null : budgetGb * GB },
    usedBytes: usedGb * GB,
  }).map((d) => [TODAY - d.day, d.reason])

describe('the days retention drops', () => {
  it('drops the days whose every trade is older than the retention, oldest first', () => {
    // Retention 3 at noon: day -3 still holds trades younger than 3 days, day -4 does not.
    expect(chosen(span(6), 3, null, 0)).toEqual([
      [6, 'age'],
      [5, 'age'],
      [4, 'age'],
    ])
    // The edge: day -4 goes at the midnight that makes its last trade 3 days old, not 1 ms before.
    const at = (nowMs: number): number[] =>
      chooseDaysToDrop({
        days: span(6),
        nowMs,
        policy: { retentionDays: 3, budgetBytes: null },
        usedBytes: 0,
      }).map((d) => TODAY - d.day)
    expect(at(TODAY * DAY_MS)).toEqual([6, 5, 4])
    expect(at(TODAY * DAY_MS - 1)).toEqual([6, 5])
  })

  it('drops the oldest remaining days while the data dir is over its budget, and no more', () => {
    // 9 GB used, budget 5: the one old-enough day frees 1 GB, then three more go for the budget.
    expect(chosen(span(6), 5, 5, 9)).toEqual([
      [6, 'age'],
      [5, 'budget'],
      [4, 'budget'],
      [3, 'budget'],
    ])
    // Under the budget: the budget adds nothing.
    expect(chosen(span(6), 5, 20, 9)).toEqual([[6, 'age']])
  })

  it('never drops today or a day ahead, even far over the budget with a retention of 1', () => {
    const out = chosen(span(3), 1, 1, 1000)
    expect(out.map(([n]) => n)).toEqual([3, 2, 1])
    expect(
      chosen(
        [
          { day: TODAY, bytes: GB },
          { day: TODAY + 1, bytes: GB },
        ],
        1,
        1,
        1000,
      ),
    ).toEqual([])
  })

  it('takes days in any order and drops a day once', () => {
    const days = span(4).reverse()
    expect(chosen(days, 2, 0, 100)).toEqual([
      [4, 'age'],
      [3, 'age'],
      [2, 'budget'],
      [1, 'budget'],
    ])
  })
})

describe('the retention policy', () => {
  it('keeps 30 days under a 20 GB budget by default on our own database', () => {
    expect(retentionPolicy({})).toEqual({ retentionDays: 30, budgetBytes: 20 * GB })
    expect(retentionPolicy({ retentionDays: 7, diskBudgetGb: 0.5 })).toEqual({
      retentionDays: 7,
      budgetBytes: 0.5 * GB,
    })
  })

  it('is off on an external database unless the user set the retention, and has no budget there', () => {
    const databaseUrl = 'postgres://someone@db.example/theirs'
    expect(retentionPolicy({ databaseUrl })).toBeNull()
    expect(retentionPolicy({ databaseUrl, diskBudgetGb: 1 })).toBeNull()
    expect(retentionPolicy({ databaseUrl, retentionDays: 90 })).toEqual({
      retentionDays: 90,
      budgetBytes: null,
    })
  })
})

describe('the retention settings', () => {
  const env = { TICKFLOW_DATA_DIR: '/tmp/tickflow-test' }
  const error = (argv: string[]): string => {
    try {
      resolveSettings(parseFlags(argv).settings, env)
    } catch (err) {
      if (err instanceof ZodError) return describeSettingsError(err)
      return (err as Error).message
    }
    return 'no error'
  }

  it('come from --retention-days and --disk-budget-gb, unset otherwise', () => {
    const s = resolveSettings(parseFlags(['--retention-days', '7', '--disk-budget-gb', '2.5']).settings, env)
    expect([s.retentionDays, s.diskBudgetGb]).toEqual([7, 2.5])
    const d = resolveSettings({}, env)
    expect([d.retentionDays, d.diskBudgetGb]).toEqual([undefined, undefined])
  })

  it('are kept in the one settings store, checked as the flags are', () => {
    expect(storedSettingsSchema.parse({ retentionDays: 7, diskBudgetGb: 50 })).toEqual({
      retentionDays: 7,
      diskBudgetGb: 50,
    })
    const bad = storedSettingsSchema.safeParse({ retentionDays: 0 })
    expect(bad.success).toBe(false)
    expect(bad.error && describeSettingsError(bad.error)).toMatch(
      /^retentionDays: retention days must be at least 1/,
    )
    // The file layer reaches the resolved settings; a flag overrides it.
    const s = resolveSettings(parseFlags(['--disk-budget-gb', '3']).settings, env, {
      retentionDays: 9,
      diskBudgetGb: 50,
    })
    expect([s.retentionDays, s.diskBudgetGb]).toEqual([9, 3])
  })

  it('refuse a bad value with the setting named', () => {
    expect(error(['--retention-days', 'ten'])).toMatch(/--retention-days must be a number/)
    expect(error(['--retention-days', '0'])).toMatch(/^retentionDays: retention days must be at least 1/)
    expect(error(['--retention-days', '1.5'])).toMatch(/^retentionDays: .*whole number/)
    expect(error(['--disk-budget-gb', '0'])).toMatch(/^diskBudgetGb: the disk budget must be more than 0 GB/)
    expect(error(['--disk-budget-gb=-3'])).toMatch(/^diskBudgetGb: /)
  })
})

describe('what a retention run says', () => {
  const policy = { retentionDays: 30, budgetBytes: 20 * GB }
  const day = Date.UTC(2026, 10, 2) / DAY_MS
  const empty = { dropped: [], deferred: [], usedBytes: GB, overBudgetBytes: 0 }

  it('says nothing when it removed nothing and the data dir is within its budget', () => {
    expect(retentionNotice(empty, policy)).toBeNull()
  })

  it('names each removed day, why, and that its KPIs stay', () => {
    const n = retentionNotice(
      {
        ...empty,
        dropped: [
          { day, bytes: 1.25 * GB, reason: 'age', ms: 12 },
          { day: day + 1, bytes: 300_000_000, reason: 'budget', ms: 9 },
        ],
      },
      policy,
    )
    expect(n?.level).toBe('info')
    expect(n?.message).toMatch(/older than 30 days: 2026-11-02 \(1\.3 GB\)/)
    expect(n?.message).toMatch(/disk budget: 2026-11-03 \(300\.0 MB\)/)
    expect(n?.message).toMatch(/KPIs stay/)
  })

  it('warns when the data dir stays over its budget, and says when a day waits for the next run', () => {
    const n = retentionNotice(
      { ...empty, deferred: [{ day, bytes: GB, reason: 'age' }], overBudgetBytes: 2 * GB },
      policy,
    )
    expect(n?.level).toBe('warn')
    expect(n?.message).toMatch(/1 day\(s\) left for the next run/)
    expect(n?.message).toMatch(/still 2\.0 GB over its budget/)
  })
})
