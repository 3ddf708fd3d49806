import { lstat, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type pg from 'pg'
import {
  chooseDaysToDrop,
  type DaySize,
  type DropChoice,
  type RetentionPolicy,
  type RetentionResult,
} from './retention-plan'
import { pruneRollups } from './rollup-retention'
import { DAY_MS, forgetTradeDays } from './trade-days'

/**
 * Retention of raw trades: measure the data dir, choose the days (retention-plan.ts), drop each
 * day's partition (sql/011), one short transaction a day. The rollups stay: the KPIs of a dropped
 * day still show. Run at start and every hour by RetentionJob.
 */

/** How long a drop may wait for the lock on trades before it gives up until the next run. */
export const DROP_LOCK_TIMEOUT_MS = 100
export const RETENTION_INTERVAL_MS = 3_600_000

export type { RetentionResult }

/**
 * Bytes on disk (allocated blocks, not apparent sizes) under each path; a path that does not exist
 * counts 0. Files that vanish during the walk (PostgreSQL's temp files, rotated logs) are skipped.
 */
export async function diskUsage(paths: readonly string[]): Promise<number> {
  let total = 0
  const walk = async (p: string): Promise<void> => {
    const st = await lstat(p).catch(() => null)
    if (!st) return
    total += st.blocks * 512
    if (!st.isDirectory()) return
    const names = await readdir(p).catch(() => [] as string[])
    for (const n of names) await walk(join(p, n))
  }
  for (const p of paths) await walk(p)
  return total
}

/** The day partitions of trades and their sizes, as UTC day numbers. */
export async function tradeDaySizes(pool: pg.Pool): Promise<DaySize[]> {
  // date - date is an integer: the day number, free of the driver's local-time Date parsing.
  const { rows } = await pool.query<{ day: number; bytes: number }>(
    `SELECT day - date '1970-01-01' AS day, bytes FROM trades_day_sizes()`,
  )
  return rows
}

/** Tries at the lock on trades per day, a pause of DROP_RETRY_PAUSE_MS apart. */
export const DROP_ATTEMPTS = 5
const DROP_RETRY_PAUSE_MS = 200

/**
 * Removes one past day's partition: detached (and renamed) in a transaction of its own that waits at
 * most lockTimeoutMs for the lock on trades (the writer queues behind a waiting DETACH, so the wait
 * is bounded, and the hold is catalog work), then dropped outside trades' lock (sql/011). A read of
 * trades (the dashboard's snapshot, a disk measure) holds the lock off for a moment, more so on a
 * busy machine: the lock is asked for `attempts` times, the writer going on in between. Resolves
 * 'busy' when it never came (the next run tries again), 'absent' when the day has no partition
 * (another instance removed it first).
 */
export async function dropTradeDay(
  pool: pg.Pool,
  day: number,
  lockTimeoutMs = DROP_LOCK_TIMEOUT_MS,
  attempts = DROP_ATTEMPTS,
): Promise<'dropped' | 'busy' | 'absent'> {
  for (let i = 1; ; i++) {
    const outcome = await dropTradeDayOnce(pool, day, lockTimeoutMs)
    if (outcome !== 'busy' || i >= attempts) return outcome
    await new Promise((r) => setTimeout(r, DROP_RETRY_PAUSE_MS))
  }
}

async function dropTradeDayOnce(
  pool: pg.Pool,
  day: number,
  lockTimeoutMs: number,
): Promise<'dropped' | 'busy' | 'absent'> {
  const client = await pool.connect()
  let detached: string | null
  try {
    await client.query('BEGIN')
    await client.query(`SELECT set_config('lock_timeout', $1, true)`, [`${lockTimeoutMs}ms`])
    const { rows } = await client.query<{ name: string | null }>(
      `SELECT trades_detach_day($1::date) AS name`,
      [new Date(day * DAY_MS).toISOString().slice(0, 10)],
    )
    await client.query('COMMIT')
    detached = rows[0]!.name
  } catch (err) {
    // The statement's error is the one that counts; a ROLLBACK fails only on a broken connection,
    // which ends the transaction all the same.
    await client.query('ROLLBACK').catch(() => undefined)
    if ((err as { code?: string }).code === '55P03') return 'busy' // lock_not_available
    throw err
  } finally {
    client.release()
  }
  // Also drops what an earlier run detached and could not drop (a crash between the two steps).
  await pool.query('SELECT trades_drop_detached()')
  return detached !== null ? 'dropped' : 'absent'
}

/** What a run would remove now: the days, the data dir's bytes, and the choice over them. */
export interface RetentionPlan {
  days: DaySize[]
  usedBytes: number
  chosen: DropChoice[]
}

/**
 * Measures and chooses, removing nothing: the first half of a run, and the Storage section's
 * preview of a change (the same numbers and the same rules, so a preview names what a run removes).
 */
export async function planRetention(opts: {
  pool: pg.Pool
  policy: RetentionPolicy
  ownedPaths: readonly string[]
  nowMs?: number
}): Promise<RetentionPlan> {
  const nowMs = opts.nowMs ?? Date.now()
  const [days, usedBytes] = await Promise.all([tradeDaySizes(opts.pool), diskUsage(opts.ownedPaths)])
  return { days, usedBytes, chosen: chooseDaysToDrop({ days, nowMs, policy: opts.policy, usedBytes }) }
}

/** One retention pass: choose, drop, and make the writer forget the days it knew. */
export async function runRetention(opts: {
  pool: pg.Pool
  policy: RetentionPolicy
  /** what of the data dir Tickflow owns: the embedded cluster, the managed broker's dir, the logs */
  ownedPaths: readonly string[]
  nowMs?: number
  /** drop none but these days (a confirmed preview's); the others wait for the next run */
  onlyDays?: ReadonlySet<number>
}): Promise<RetentionResult> {
  // First what a run that died between detach and drop left behind (sql/011), before measuring.
  await opts.pool.query('SELECT trades_drop_detached()')
  const { usedBytes, chosen: plan } = await planRetention(opts)
  const only = opts.onlyDays
  const chosen = only ? plan.filter((d) => only.has(d.day)) : plan
  const result: RetentionResult = {
    dropped: [],
    deferred: [],
    usedBytes,
    overBudgetBytes: 0,
    rollupsPruned: [],
  }
  try {
    for (const d of chosen) {
      const t0 = performance.now()
      const outcome = await dropTradeDay(opts.pool, d.day)
      if (outcome === 'dropped') result.dropped.push({ ...d, ms: performance.now() - t0 })
      else if (outcome === 'busy') result.deferred.push(d)
    }
  } finally {
    // A pool remembers which days exist, to skip asking per batch; a dropped day must be made again
    // if a late trade of it comes through this pool. (The writers' own pools forget past days by
    // themselves: trade-days.ts.)
    if (chosen.length > 0) forgetTradeDays(opts.pool)
  }
  result.rollupsPruned = await pruneRollups(opts.pool, opts.nowMs)
  if (opts.policy.budgetBytes !== null) {
    const freed = result.dropped.reduce((n, d) => n + d.bytes, 0)
    result.overBudgetBytes = Math.max(0, usedBytes - freed - opts.policy.budgetBytes)
  }
  return result
}
