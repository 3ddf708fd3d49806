import { z } from 'zod'

/**
 * Disk use and retention as every face shows them (issue 13, "Disk use in sight"): the status's
 * storage part, the Storage section's requests, and the one byte formatter of the status bar, the
 * CLI line and retention's notices.
 */

/** The retentionDays setting: the flag, settings.json and the Storage section check it alike. */
export const retentionDaysSchema = z
  .number()
  .int('retention days must be a whole number')
  .min(1, 'retention days must be at least 1 (today is never removed)')
  .max(36_500, 'retention days must be at most 36500')

/** The diskBudgetGb setting, in GB (10^9 bytes). */
export const diskBudgetGbSchema = z
  .number()
  .positive('the disk budget must be more than 0 GB')
  .max(1_000_000, 'the disk budget must be at most 1000000 GB')

/** A retention change from the Storage section; diskBudgetGb absent keeps the current one. */
export const retentionSettingsSchema = z
  .object({ retentionDays: retentionDaysSchema, diskBudgetGb: diskBudgetGbSchema.optional() })
  .strict()
export type RetentionSettings = z.infer<typeof retentionSettingsSchema>

/** Applying a change: the days its preview named (YYYY-MM-DD); no other day is removed. */
export const setRetentionSchema = retentionSettingsSchema
  .extend({ previewed: z.array(z.iso.date()).max(36_600) })
  .strict()

/** The parts of the data whose bytes the status carries. */
export type StoragePart = 'trades' | 'rollups' | 'postgres' | 'kafkaLog' | 'logs'

export interface StorageStatus {
  /** ms epoch of the measurement (every minute and after each retention run) */
  at: number
  /** raw trades: every day partition and the default one (heap, TOAST, indexes) */
  tradesBytes: number | null
  /** the KPI rollups (trades_1s/1m, latency_1s/1m, any *_1h) */
  rollupsBytes: number | null
  /** the embedded PostgreSQL's whole cluster dir (trades and rollups are in it, with WAL, catalog…) */
  postgresBytes: number | null
  /** the managed broker's dir (its log segments and its own logs) */
  kafkaLogBytes: number | null
  /** <data dir>/logs */
  logsBytes: number | null
  /** what the disk budget counts: what Tickflow owns of the data dir (postgres + kafkaLog + logs) */
  usedBytes: number
  /** ms epoch of the oldest trade kept; null when trades is empty or unknown */
  oldestTradeAt: number | null
  /** the data dir's file system */
  disk: { freeBytes: number; totalBytes: number } | null
  /** the retention in force; null: off (an external database whose user set none) */
  retentionDays: number | null
  /** the disk budget in force; null: none (retention off, or an external database) */
  diskBudgetGb: number | null
  /** why a part is null, in words: not ours to measure, or the measurement failed */
  unknown: { part: StoragePart; reason: string }[]
}

/** One day a retention change removes (or removed). */
export interface RemovedDay {
  /** UTC, YYYY-MM-DD */
  date: string
  bytes: number
  /** 'age': older than retentionDays; 'budget': the data dir is over diskBudgetGb */
  reason: 'age' | 'budget'
}

/** What a retention change would remove, measured now, before anything is removed. */
export interface RetentionPreview {
  retentionDays: number | null
  diskBudgetGb: number | null
  /** oldest first */
  remove: RemovedDay[]
  /** their bytes together */
  bytes: number
  /** "would remove 5 days, 2.1 GB: 2026-11-01 … 2026-11-05" */
  message: string
}

/** What applying the change did. */
export interface RetentionApplied {
  removed: RemovedDay[]
  /** days left for the next run: trades was busy */
  deferred: RemovedDay[]
  message: string
  storage: StorageStatus | null
}

const GB = 1_000_000_000

/** Decimal units, as disks are sold and as diskBudgetGb counts: "3.2 GB", "410.0 MB", "12 kB". */
export function formatBytes(n: number): string {
  if (n >= 1000 * GB) return `${(n / (1000 * GB)).toFixed(1)} TB`
  if (n >= GB) return `${(n / GB).toFixed(1)} GB`
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1)} MB`
  return `${Math.round(n / 1000)} kB`
}

/** A budget as typed: "20 GB", "0.5 GB". */
export function formatGb(gb: number): string {
  return `${Number(gb.toPrecision(6))} GB`
}

/** The status bar's and the CLI's short form: "3.2 GB of 20 GB, 41.0 GB free". */
export function formatDiskUse(s: StorageStatus): string {
  const parts = [
    formatBytes(s.usedBytes) + (s.diskBudgetGb !== null ? ` of ${formatGb(s.diskBudgetGb)}` : ''),
  ]
  if (s.disk) parts.push(`${formatBytes(s.disk.freeBytes)} free`)
  return parts.join(', ')
}

const LABELS: Record<StoragePart, string> = {
  trades: 'Trades',
  rollups: 'Rollups',
  postgres: 'PostgreSQL',
  kafkaLog: 'Kafka log',
  logs: 'Logs',
}

/** The status bar's tooltip: one line per part, what is unknown and why, the oldest trade and the rules. */
export function describeStorage(s: StorageStatus): string[] {
  const bytesOf: Record<StoragePart, number | null> = {
    trades: s.tradesBytes,
    rollups: s.rollupsBytes,
    postgres: s.postgresBytes,
    kafkaLog: s.kafkaLogBytes,
    logs: s.logsBytes,
  }
  const lines = (Object.keys(LABELS) as StoragePart[]).map((p) => {
    const b = bytesOf[p]
    const why = s.unknown.find((u) => u.part === p)?.reason
    return `${LABELS[p]}: ${b !== null ? formatBytes(b) : `unknown (${why ?? 'not measured'})`}`
  })
  lines.push(
    `Oldest trade kept: ${s.oldestTradeAt !== null ? new Date(s.oldestTradeAt).toISOString().slice(0, 16).replace('T', ' ') + ' UTC' : 'none'}`,
  )
  lines.push(
    s.retentionDays === null
      ? 'Retention: off (external database)'
      : `Retention: ${s.retentionDays} days` +
          (s.diskBudgetGb !== null ? `, budget ${formatGb(s.diskBudgetGb)}` : ', no disk budget'),
  )
  if (s.disk) lines.push(`Disk: ${formatBytes(s.disk.freeBytes)} free of ${formatBytes(s.disk.totalBytes)}`)
  return lines
}

/** "would remove 5 days, 2.1 GB: 2026-11-01 … 2026-11-05", or that nothing goes. */
export function describeRemoval(days: readonly RemovedDay[], verb = 'would remove'): string {
  if (days.length === 0) return `${verb} nothing`
  const bytes = days.reduce((n, d) => n + d.bytes, 0)
  const span =
    days.length === 1
      ? days[0]!.date
      : days.length === 2
        ? `${days[0]!.date}, ${days[1]!.date}`
        : `${days[0]!.date} … ${days[days.length - 1]!.date}`
  return `${verb} ${days.length} day${days.length === 1 ? '' : 's'}, ${formatBytes(bytes)}: ${span}`
}
