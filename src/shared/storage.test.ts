import { describe, expect, it } from 'vitest'
import {
  describeRemoval,
  describeStorage,
  formatBytes,
  formatDiskUse,
  retentionSettingsSchema,
  setRetentionSchema,
  type StorageStatus,
} from './storage'

// Issue 13, "Disk use in sight": how the status bar, its tooltip and the CLI line say disk use.

const GB = 1_000_000_000

const status = (over: Partial<StorageStatus> = {}): StorageStatus => ({
  at: 0,
  tradesBytes: 2.5 * GB,
  rollupsBytes: 40_000_000,
  postgresBytes: 3 * GB,
  kafkaLogBytes: 150_000_000,
  logsBytes: 12_000,
  usedBytes: 3_150_012_000,
  oldestTradeAt: Date.UTC(2026, 10, 1, 9, 30),
  disk: { freeBytes: 41 * GB, totalBytes: 250 * GB },
  retentionDays: 30,
  diskBudgetGb: 20,
  unknown: [],
  ...over,
})

describe('disk use in words', () => {
  it('formats bytes in decimal units, as disks and the budget count them', () => {
    expect(formatBytes(0)).toBe('0 kB')
    expect(formatBytes(12_345)).toBe('12 kB')
    expect(formatBytes(410_000_000)).toBe('410.0 MB')
    expect(formatBytes(3_210_000_000)).toBe('3.2 GB')
    expect(formatBytes(2_500_000_000_000)).toBe('2.5 TB')
  })

  it('says used of budget and free space in one short line', () => {
    expect(formatDiskUse(status())).toBe('3.2 GB of 20 GB, 41.0 GB free')
    expect(formatDiskUse(status({ diskBudgetGb: 0.5 }))).toBe('3.2 GB of 0.5 GB, 41.0 GB free')
    // No budget (an external database) and no file system answer: only what is known.
    expect(formatDiskUse(status({ diskBudgetGb: null, disk: null }))).toBe('3.2 GB')
  })

  it('breaks it down in the tooltip, with each unknown part named and why, never as 0', () => {
    const lines = describeStorage(
      status({
        postgresBytes: null,
        kafkaLogBytes: null,
        retentionDays: null,
        diskBudgetGb: null,
        unknown: [
          { part: 'postgres', reason: 'the database is external' },
          { part: 'kafkaLog', reason: 'the broker is external' },
        ],
      }),
    )
    expect(lines).toEqual([
      'Trades: 2.5 GB',
      'Rollups: 40.0 MB',
      'PostgreSQL: unknown (the database is external)',
      'Kafka log: unknown (the broker is external)',
      'Logs: 12 kB',
      'Oldest trade kept: 2026-11-01 09:30 UTC',
      'Retention: off (external database)',
      'Disk: 41.0 GB free of 250.0 GB',
    ])
    expect(describeStorage(status({ oldestTradeAt: null }))).toContain('Oldest trade kept: none')
    expect(describeStorage(status())).toContain('Retention: 30 days, budget 20 GB')
  })

  it('names what a change removes: how many days, their bytes, the first and last', () => {
    const day = (date: string, gb: number) => ({ date, bytes: gb * GB, reason: 'age' as const })
    expect(describeRemoval([])).toBe('would remove nothing')
    expect(describeRemoval([day('2026-11-01', 1)])).toBe('would remove 1 day, 1.0 GB: 2026-11-01')
    expect(
      describeRemoval(
        ['01', '02', '03', '04', '05'].map((d) => day(`2026-11-${d}`, 0.42)),
        'Removed',
      ),
    ).toBe('Removed 5 days, 2.1 GB: 2026-11-01 … 2026-11-05')
  })
})

describe('a retention change as the API takes it', () => {
  it('is checked by the settings’ own rules', () => {
    expect(retentionSettingsSchema.parse({ retentionDays: 7 })).toEqual({ retentionDays: 7 })
    const bad = (v: unknown): string | undefined =>
      retentionSettingsSchema.safeParse(v).error?.issues[0]?.message
    expect(bad({ retentionDays: 0 })).toMatch(/at least 1/)
    expect(bad({ retentionDays: 1.5 })).toMatch(/whole number/)
    expect(bad({ retentionDays: 7, diskBudgetGb: 0 })).toMatch(/more than 0 GB/)
    expect(bad({ retentionDays: 7, extra: 1 })).toBeDefined()
  })

  it('names the previewed days as dates', () => {
    expect(setRetentionSchema.safeParse({ retentionDays: 7, previewed: ['2026-11-01'] }).success).toBe(true)
    expect(setRetentionSchema.safeParse({ retentionDays: 7, previewed: ['yesterday'] }).success).toBe(false)
  })
})
