import type pg from 'pg'

/**
 * trades is partitioned by UTC day (sql/010). A row of a day without a partition still goes in, to
 * the default partition, but there retention cannot drop it by the day, and every new day's ATTACH
 * scans it. So the writer makes the partitions of a batch's days before it inserts, whatever their
 * dates (a replay of last month, a record stamped in 2024). Asking PostgreSQL per batch would cost a
 * round trip and a lock each time; the days already made are remembered per pool (one pool, one
 * schema), so a batch of a known day asks nothing.
 */

export const DAY_MS = 86_400_000

/** The UTC day number (days since 1970-01-01) of a ms epoch. */
export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS)
}

/** A day number as the date PostgreSQL reads: YYYY-MM-DD. */
export function dayText(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10)
}

/**
 * The days to make for these trade stamps, given the days known to exist: each new day, and the day
 * after the newest, so that midnight finds its partition ready rather than waiting on DDL. (In a
 * steady stream the newest day is known, and it is its next day that gets made, once.)
 */
export function missingDays(stamps: Iterable<number>, known: ReadonlySet<number>): number[] {
  const out = new Set<number>()
  let newest = -Infinity
  for (const ms of stamps) {
    const day = dayOf(ms)
    if (day > newest) newest = day
    if (!known.has(day)) out.add(day)
  }
  if (newest > -Infinity && !known.has(newest + 1)) out.add(newest + 1)
  return [...out].sort((a, b) => a - b)
}

const knownByPool = new WeakMap<pg.Pool, Set<number>>()

function knownDays(pool: pg.Pool): Set<number> {
  let known = knownByPool.get(pool)
  if (!known) knownByPool.set(pool, (known = new Set()))
  return known
}

/**
 * Makes sure the day partitions of these stamps exist, in a statement of its own (not inside the
 * caller's insert transaction, which would hold the parent's lock until it commits). Resolves
 * without a query when every day is known.
 *
 * Only today and later stay known. Retention (postgres/retention.ts) drops past days, never today,
 * and it cannot reach this memory: the writer runs in a worker thread, or another process, with a
 * pool of its own. A past day remembered here could be dropped meanwhile, and its late trades would
 * then land in the default partition, out of retention's reach. So a batch of past trades (a replay,
 * the last seconds before midnight) asks each time: one round trip, and no DDL once the day exists.
 */
export async function ensureTradeDays(
  pool: pg.Pool,
  stamps: Iterable<number>,
  nowMs: number = Date.now(),
): Promise<void> {
  const known = knownDays(pool)
  const today = dayOf(nowMs)
  for (const d of known) if (d < today) known.delete(d)
  const days = missingDays(stamps, known)
  if (days.length === 0) return
  await pool.query('SELECT trades_add_days($1::date[])', [days.map(dayText)])
  for (const d of days) if (d >= today) known.add(d)
}

/**
 * Forgets the days known for a pool. Retention calls it for its own pool; the writers' pools forget
 * past days by themselves (ensureTradeDays).
 */
export function forgetTradeDays(pool: pg.Pool): void {
  knownByPool.delete(pool)
}
