import { join } from 'node:path'
import type pg from 'pg'
import type { AlertLevel } from '../../shared/status'
import type { Settings } from '../config'
import { brokerDirs } from '../kafka/paths'
import { appLog } from '../log/logger'
import { compactFinishedDays } from './day-compaction'
import {
  retentionNotice,
  retentionPolicy,
  type RetentionPolicy,
  type RetentionResult,
} from './retention-plan'
import { RETENTION_INTERVAL_MS, runRetention } from './retention'

/**
 * Runs retention at start and then every hour, for as long as the services live. A run that fails
 * (PostgreSQL restarting, say) is a warning and is tried again at the next hour: retention is never
 * urgent enough to stop the app for. Runs never overlap: a slow one is waited for, not doubled.
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | null = null
  private running: Promise<RetentionResult | null> | null = null
  private stopped = false

  constructor(
    private readonly opts: {
      pool: pg.Pool
      policy: RetentionPolicy
      ownedPaths: readonly string[]
      /** a notice in the status: what was removed, or why nothing could be */
      notify(level: AlertLevel, message: string): void
      intervalMs?: number
    },
  ) {}

  start(): void {
    void this.runOnce()
    this.timer = setInterval(() => void this.runOnce(), this.opts.intervalMs ?? RETENTION_INTERVAL_MS)
    // An hourly job must not keep a CLI run alive after everything else has ended.
    this.timer.unref()
  }

  /** One run now, or the one already under way; resolves null when it failed (and said so). */
  runOnce(): Promise<RetentionResult | null> {
    if (this.stopped) return Promise.resolve(null)
    return (this.running ??= this.run().finally(() => (this.running = null)))
  }

  private async run(): Promise<RetentionResult | null> {
    const log = appLog('retention')
    try {
      const r = await runRetention({
        pool: this.opts.pool,
        policy: this.opts.policy,
        ownedPaths: this.opts.ownedPaths,
      })
      await this.compact()
      const n = retentionNotice(r, this.opts.policy)
      const detail = {
        dropped: r.dropped.map((d) => ({
          day: d.day,
          bytes: d.bytes,
          reason: d.reason,
          ms: Math.round(d.ms),
        })),
        deferred: r.deferred.length,
        usedBytes: r.usedBytes,
      }
      if (n) {
        log[n.level](detail, n.message)
        this.opts.notify(n.level, n.message)
      } else log.debug(detail, 'retention: nothing to remove')
      return r
    } catch (err) {
      const message = `Retention could not run: ${(err as Error).message}; it tries again in an hour`
      log.warn(message)
      this.opts.notify('warn', message)
      return null
    }
  }

  /** Packs the index of finished days (day-compaction.ts); a failure is logged and waits an hour. */
  private async compact(): Promise<void> {
    const log = appLog('retention')
    try {
      for (const d of await compactFinishedDays(this.opts.pool)) {
        log.info({ ...d, ms: Math.round(d.ms) }, `packed the trade index of ${d.day}`)
      }
    } catch (err) {
      log.warn(`could not pack a finished day's trade index: ${(err as Error).message}`)
    }
  }

  /** Stops the schedule and waits for a run under way, so the pool can close after it. */
  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearInterval(this.timer)
    await this.running
  }
}

/**
 * What of the data dir Tickflow owns, and so what the budget counts: the embedded cluster and the
 * managed broker's dir when they are ours, and the logs, which always are.
 */
export function ownedDataPaths(settings: Settings, own: { postgres: boolean; kafka: boolean }): string[] {
  const paths = [join(settings.dataDir, 'logs')]
  if (own.postgres) paths.push(join(settings.dataDir, 'postgres'))
  if (own.kafka) paths.push(brokerDirs(settings.dataDir).root)
  return paths
}

/**
 * The job for these services, or null when retention is off (an external database whose user did
 * not set retentionDays), which is said once in the log so that nobody wonders why nothing goes.
 */
export function retentionJobFor(
  settings: Settings,
  pool: pg.Pool,
  own: { postgres: boolean; kafka: boolean },
  notify: (level: AlertLevel, message: string) => void,
): RetentionJob | null {
  const policy = retentionPolicy(settings)
  if (!policy) {
    appLog('retention').info('retention is off: the database is external and --retention-days was not given')
    return null
  }
  return new RetentionJob({ pool, policy, ownedPaths: ownedDataPaths(settings, own), notify })
}
