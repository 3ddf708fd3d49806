import { statfs } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import type pg from 'pg'
import type { StoragePart, StorageStatus } from '../../shared/storage'
import { Emitter } from '../base/emitter'
import { appLog, logListenerError } from '../log/logger'
import { diskUsage } from './retention'
import type { RetentionPolicy } from './retention-plan'
import type { OwnedDirs } from './retention-job'

/**
 * The status's storage part (issue 13, "Disk use in sight"), measured on a timer and after each
 * retention run, never per status tick: a walk of the owned dirs and a catalog query cost tens of
 * milliseconds, a status goes out every second. Neither blocks the writer: pg_total_relation_size
 * takes only ACCESS SHARE, which inserts do not wait for.
 */

export const STORAGE_INTERVAL_MS = 60_000

// Raw trades: the partition tree (every day, the default). Rollups: the KPI tables named
// <kpi>_1s/_1m/_1h/_1d (sql/004 and any later one), with their partitions if partitioned
// (pg_partition_tree lists nothing for a plain table: then the table itself).
const SIZES_SQL = `
SELECT
  (SELECT coalesce(sum(pg_total_relation_size(relid)), 0)::float8 FROM pg_partition_tree('trades'::regclass)) AS trades,
  (SELECT coalesce(sum(pg_total_relation_size(coalesce(t.relid, c.oid))), 0)::float8
     FROM pg_class c LEFT JOIN LATERAL pg_partition_tree(c.oid) t ON true
     WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'm')
       AND NOT c.relispartition AND c.relname ~ '^[a-z]+_1[smhd]$') AS rollups,
  (SELECT (extract(epoch FROM min(traded_at)) * 1000)::float8 FROM trades) AS oldest`

/** Why a part that is not ours has no size: said, never shown as 0. */
const NOT_OURS: Partial<Record<StoragePart, string>> = {
  postgres: 'the database is external (--database-url); its disk is its server’s',
  kafkaLog: 'the broker is external (--brokers); its log is on its own disk',
}

export interface MeasureOptions {
  pool: pg.Pool
  dataDir: string
  dirs: OwnedDirs
  policy: RetentionPolicy | null
}

/** One measurement of everything the status's storage part carries. */
export async function measureStorage(opts: MeasureOptions): Promise<StorageStatus> {
  const unknown: StorageStatus['unknown'] = []
  const du = async (part: StoragePart, dir: string | null): Promise<number | null> => {
    if (dir === null) {
      unknown.push({ part, reason: NOT_OURS[part] ?? 'not measured' })
      return null
    }
    return diskUsage([dir])
  }
  const sql = opts.pool.query<{ trades: number; rollups: number; oldest: number | null }>(SIZES_SQL).then(
    (r) => r.rows[0]!,
    (err: Error) => {
      // An external database may refuse (no rights on a catalog function); say so, do not guess.
      for (const part of ['trades', 'rollups'] as const)
        unknown.push({ part, reason: `the database did not say: ${err.message}` })
      return null
    },
  )
  const [sizes, postgresBytes, kafkaLogBytes, logsBytes, disk] = await Promise.all([
    sql,
    du('postgres', opts.dirs.postgres),
    du('kafkaLog', opts.dirs.kafka),
    du('logs', opts.dirs.logs),
    diskSpace(opts.dataDir),
  ])
  const budget = opts.policy?.budgetBytes ?? null
  return {
    at: Date.now(),
    tradesBytes: sizes ? sizes.trades : null,
    rollupsBytes: sizes ? sizes.rollups : null,
    postgresBytes,
    kafkaLogBytes,
    logsBytes,
    usedBytes: (postgresBytes ?? 0) + (kafkaLogBytes ?? 0) + (logsBytes ?? 0),
    oldestTradeAt: sizes?.oldest ?? null,
    disk,
    retentionDays: opts.policy?.retentionDays ?? null,
    diskBudgetGb: budget === null ? null : budget / 1_000_000_000,
    unknown,
  }
}

/** Free (for this user) and total bytes of the file system holding dir, or its nearest parent. */
export async function diskSpace(dir: string): Promise<StorageStatus['disk']> {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const s = await statfs(d).catch(() => null)
    if (s) return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize }
    if (dirname(d) === d) return null
  }
}

/**
 * Keeps the latest measurement: one now, one a minute, one on demand (after a retention run). One
 * measurement at a time; a demand during one waits for it and measures again, so what it returns
 * is never older than the demand.
 */
export class StorageMeter {
  private last: StorageStatus | null = null
  private timer: NodeJS.Timeout | null = null
  private stopped = false
  private tail: Promise<StorageStatus | null> = Promise.resolve(null)
  // one broken listener must not stop the others, nor the next measurement
  private readonly listeners = new Emitter<StorageStatus>(logListenerError('storage', 'storage'))

  constructor(
    private readonly measure: () => Promise<StorageStatus>,
    private readonly intervalMs = STORAGE_INTERVAL_MS,
  ) {}

  start(): void {
    void this.refresh()
    this.timer = setInterval(() => void this.refresh(), this.intervalMs)
    this.timer.unref()
  }

  latest(): StorageStatus | null {
    return this.last
  }

  /** Measures again (after the one under way); null when the measurement failed (logged). */
  refresh(): Promise<StorageStatus | null> {
    this.tail = this.tail.then(async () => {
      if (this.stopped) return this.last // the pool may be gone
      try {
        const s = (this.last = await this.measure())
        this.listeners.fire(s)
        return s
      } catch (err) {
        appLog('storage').warn(`disk use could not be measured: ${(err as Error).message}`)
        return null
      }
    })
    return this.tail
  }

  onMeasured(listener: (s: StorageStatus) => void): () => void {
    return this.listeners.on(listener)
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearInterval(this.timer)
    await this.tail
  }
}
