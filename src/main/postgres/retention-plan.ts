import type { AlertLevel } from '../../shared/status'
import { formatBytes } from '../../shared/storage'
import type { Settings } from '../config'
import { DAY_MS, dayOf } from './trade-days'
import type { PrunedRollups } from './rollup-retention'

/**
 * Which day partitions of trades retention removes: a pure choice, so that its rules (never today,
 * oldest first, the budget only as far as it helps) are tested without a database. The job that
 * measures and drops is postgres/retention.ts.
 */

export const DEFAULT_RETENTION_DAYS = 30
export const DEFAULT_DISK_BUDGET_GB = 20
const GB = 1_000_000_000

export interface RetentionPolicy {
  /** raw trades older than this many days go */
  retentionDays: number
  /** beyond this many bytes in the data dir the oldest days go; null: no budget */
  budgetBytes: number | null
}

/**
 * The policy a run applies, or null when retention is off. An external database (--database-url)
 * is the user's: Tickflow drops none of its rows unless the user set retentionDays. Its size is not
 * in our data dir either, so the disk budget never drops days there; only the days count.
 */
export function retentionPolicy(
  s: Pick<Settings, 'databaseUrl' | 'retentionDays' | 'diskBudgetGb'>,
): RetentionPolicy | null {
  if (s.databaseUrl !== undefined) {
    if (s.retentionDays === undefined) return null
    return { retentionDays: s.retentionDays, budgetBytes: null }
  }
  return {
    retentionDays: s.retentionDays ?? DEFAULT_RETENTION_DAYS,
    budgetBytes: Math.round((s.diskBudgetGb ?? DEFAULT_DISK_BUDGET_GB) * GB),
  }
}

export interface DaySize {
  /** UTC day number (trade-days.ts) */
  day: number
  /** the partition's bytes, table and index */
  bytes: number
}

export interface DropChoice {
  day: number
  bytes: number
  /** 'age': older than the retention; 'budget': the data dir is over its budget */
  reason: 'age' | 'budget'
}

/**
 * The days to drop, oldest first. A day goes for age once every trade it can hold is older than
 * retentionDays (its end is at least that far back), so a retention of 1 keeps today and yesterday
 * until midnight has passed a full day. Then, while the data dir (usedBytes, measured before any
 * drop) is over the budget, the oldest remaining past days go, each counted as freeing its own
 * bytes. Today and the days made ahead of need (tomorrow) are never candidates: the writer is
 * filling them.
 */
export function chooseDaysToDrop(opts: {
  days: readonly DaySize[]
  nowMs: number
  policy: RetentionPolicy
  usedBytes: number
}): DropChoice[] {
  const today = dayOf(opts.nowMs)
  const past = opts.days.filter((d) => d.day < today).sort((a, b) => a.day - b.day)
  const ageLimitMs = opts.nowMs - opts.policy.retentionDays * DAY_MS
  const out: DropChoice[] = []
  let used = opts.usedBytes
  for (const d of past) {
    if ((d.day + 1) * DAY_MS <= ageLimitMs) {
      out.push({ ...d, reason: 'age' })
      used -= d.bytes
    }
  }
  const budget = opts.policy.budgetBytes
  if (budget === null) return out
  for (const d of past) {
    if (used <= budget) break
    if (out.some((o) => o.day === d.day)) continue
    out.push({ ...d, reason: 'budget' })
    used -= d.bytes
  }
  return out.sort((a, b) => a.day - b.day)
}

/** "2026-11-02 (1.2 GB)": how a log line or a notice names a dropped day. */
export function describeDrop(d: DaySize): string {
  const date = new Date(d.day * DAY_MS).toISOString().slice(0, 10)
  return `${date} (${formatBytes(d.bytes)})`
}

export interface RetentionResult {
  /** the days dropped, oldest first, with how long each DROP transaction took */
  dropped: (DropChoice & { ms: number })[]
  /** days chosen but not dropped: their lock did not come within DROP_LOCK_TIMEOUT_MS */
  deferred: DropChoice[]
  /** the data dir's bytes before the drops (what Tickflow owns of it) */
  usedBytes: number
  /** bytes still over the budget after every past day was considered; 0 when within it */
  overBudgetBytes: number
  /** rollup rows past their own retention, removed after the days (rollup-retention.ts) */
  rollupsPruned?: PrunedRollups[]
}

/** What a run says in the log and the status, or null when it removed nothing and all is well. */
export function retentionNotice(
  r: RetentionResult,
  policy: RetentionPolicy,
): { level: AlertLevel; message: string } | null {
  const parts: string[] = []
  if (r.dropped.length > 0) {
    const age = r.dropped.filter((d) => d.reason === 'age').map(describeDrop)
    const budget = r.dropped.filter((d) => d.reason === 'budget').map(describeDrop)
    if (age.length)
      parts.push(`removed raw trades older than ${policy.retentionDays} days: ${age.join(', ')}`)
    if (budget.length)
      parts.push(`removed the oldest raw trades to stay within the disk budget: ${budget.join(', ')}`)
    parts.push('their KPIs stay in the rollups')
  }
  if (r.deferred.length > 0)
    parts.push(
      `${r.deferred.length} day(s) left for the next run: trades was busy (lock not granted in time)`,
    )
  if (r.overBudgetBytes > 0)
    parts.push(
      `the data dir is still ${formatBytes(r.overBudgetBytes)} over its budget after every past day it could remove`,
    )
  if (parts.length === 0) return null
  const level: AlertLevel = r.overBudgetBytes > 0 ? 'warn' : 'info'
  return { level, message: `Retention: ${parts.join('; ')}` }
}
