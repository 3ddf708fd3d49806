import { join } from 'node:path'
import type pg from 'pg'
import type { AlertLevel } from '../../shared/status'
import type { Settings } from '../config'
import { brokerDirs } from '../kafka/broker/paths'
import { appLog } from '../log/logger'
import { compactFinishedDays } from './day-compaction'
import { retentionNotice, type RetentionPolicy, type RetentionResult } from './retention-plan'
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
  private policy: RetentionPolicy

  constructor(
    private readonly opts: {
      pool: pg.Pool
      policy: RetentionPolicy
      ownedPaths: readonly string[]
      /** a notice in the status: what was removed, or why nothing could be */
      notify(level: AlertLevel, message: string): void
      /** after each run, removed or not (the storage meter measures again) */
      afterRun?(): void
      intervalMs?: number
    },
  ) {
    this.policy = opts.policy
  }

  /** The schedule: a run now (unless told not to), then one an interval. */
  start(opts: { runNow?: boolean } = {}): void {
    if (opts.runNow ?? true) void this.runOnce()
    this.timer = setInterval(() => void this.runOnce(), this.opts.intervalMs ?? RETENTION_INTERVAL_MS)
    // An hourly job must not keep a CLI run alive after everything else has ended.
    this.timer.unref()
  }

  /** The rules of the next run: a change from the Storage section, live. */
  setPolicy(policy: RetentionPolicy): void {
    this.policy = policy
  }

  /**
   * One run now, or the one already under way; resolves null when it failed (and said so). A run
   * limited to some days (a confirmed preview) runs after the one under way, with the policy then
   * in force, so that it never returns a result of older rules.
   */
  runOnce(opts: { onlyDays?: ReadonlySet<number> } = {}): Promise<RetentionResult | null> {
    if (this.stopped) return Promise.resolve(null)
    if (opts.onlyDays) {
      const after = (this.running ?? Promise.resolve(null)).then(() => this.run(opts.onlyDays))
      const mine = after.finally(() => {
        if (this.running === mine) this.running = null
      })
      this.running = mine
      return mine
    }
    const mine = (this.running ??= this.run().finally(() => {
      if (this.running === mine) this.running = null
    }))
    return mine
  }

  private async run(onlyDays?: ReadonlySet<number>): Promise<RetentionResult | null> {
    const log = appLog('retention')
    const policy = this.policy
    try {
      const r = await runRetention({
        pool: this.opts.pool,
        policy,
        ownedPaths: this.opts.ownedPaths,
        onlyDays,
      })
      const n = retentionNotice(r, policy)
      const detail = {
        dropped: r.dropped.map((d) => ({
          day: d.day,
          bytes: d.bytes,
          reason: d.reason,
          ms: Math.round(d.ms),
        })),
        deferred: r.deferred.length,
        usedBytes: r.usedBytes,
        rollupsPruned: r.rollupsPruned,
      }
      if (n) {
        log[n.level](detail, n.message)
        this.opts.notify(n.level, n.message)
      } else log.debug(detail, 'retention: nothing to remove')
      // Scheduled runs only: a change the user applies waits for its removals, not for a rebuild.
      if (!onlyDays) await this.compact()
      return r
    } catch (err) {
      const message = `Retention could not run: ${(err as Error).message}; it tries again in an hour`
      log.warn(message)
      this.opts.notify('warn', message)
      return null
    } finally {
      this.opts.afterRun?.()
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

/** What of the data dir Tickflow owns, by part; null where the part is not ours (external). */
export interface OwnedDirs {
  logs: string
  postgres: string | null
  kafka: string | null
}

export function ownedDirs(
  settings: Pick<Settings, 'dataDir'>,
  own: { postgres: boolean; kafka: boolean },
): OwnedDirs {
  return {
    logs: join(settings.dataDir, 'logs'),
    postgres: own.postgres ? join(settings.dataDir, 'postgres') : null,
    kafka: own.kafka ? brokerDirs(settings.dataDir).root : null,
  }
}

/**
 * What of the data dir Tickflow owns, and so what the budget counts: the embedded cluster and the
 * managed broker's dir when they are ours, and the logs, which always are.
 */
export function ownedDataPaths(
  settings: Pick<Settings, 'dataDir'>,
  own: { postgres: boolean; kafka: boolean },
): string[] {
  const d = ownedDirs(settings, own)
  return [d.logs, d.postgres, d.kafka].filter((p): p is string => p !== null)
}
