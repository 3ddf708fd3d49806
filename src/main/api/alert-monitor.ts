import type pg from 'pg'
import type { KpiSnapshot } from '../../shared/kpi'
import type { PipelineStatus } from '../../shared/status'
import type { Thresholds } from '../../shared/thresholds'
import type { RunSpan } from '../../shared/windows'
import type { AlertBook } from '../alerts/alert-book'
import { CONDITION_RULES, DropWindow, evaluateAlerts } from '../alerts/rules'
import type { SnapshotHub } from '../kpi/snapshot-hub'

/** The hub client id under which the monitor watches the last five minutes. */
const MONITOR_ID = 'alert-monitor'

export interface AlertMonitorOptions {
  db: pg.Pool
  book: AlertBook
  snapshots: SnapshotHub
  status(): PipelineStatus
  thresholds(): Thresholds
  run(): RunSpan | null
  intervalMs?: number
}

/**
 * Evaluates the alert rules once a second while the pipeline runs. Its KPIs are the last five
 * minutes' snapshot from the hub, so a dashboard watching the same window shares the query.
 */
export class AlertMonitor {
  private timer: NodeJS.Timeout | null = null
  private recent: KpiSnapshot | null = null
  private drops = new DropWindow()
  private busy = false
  // Counts runs, so that a snapshot answering a stopped run's watch is not taken for this run's.
  private run = 0
  private readonly offSnapshot: () => void

  constructor(private readonly opts: AlertMonitorOptions) {
    this.offSnapshot = opts.snapshots.onSnapshot((ids, snap) => {
      if (this.timer && ids.includes(MONITOR_ID)) this.recent = snap.kpis
    })
  }

  start(): void {
    if (this.timer) return
    const run = ++this.run
    this.recent = null
    this.drops = new DropWindow()
    void this.opts.snapshots.watch(MONITOR_ID, { window: { preset: '5m' } }).then(
      (snap) => {
        if (run === this.run && this.timer) this.recent = snap.kpis
      },
      () => undefined, // the hub reports query failures itself
    )
    this.timer = setInterval(() => void this.tick(), this.opts.intervalMs ?? 1_000)
    this.timer.unref()
  }

  /** Stops evaluating; every condition alert clears with the run that raised it. */
  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    this.run++
    this.opts.snapshots.unwatch(MONITOR_ID)
    this.opts.book.apply([], CONDITION_RULES, Date.now())
  }

  dispose(): void {
    this.stop()
    this.offSnapshot()
  }

  private async tick(): Promise<void> {
    if (this.busy) return
    this.busy = true
    try {
      const now = Date.now()
      const status = this.opts.status()
      const conditions = evaluateAlerts({
        now,
        running: status.state === 'running',
        status,
        thresholds: this.opts.thresholds(),
        recent: this.recent,
        rejectsLastMinute: await this.rejectsLastMinute(),
        droppedLastMinute: this.drops.add(now, status.counters.dropped),
        runStartedAt: this.opts.run()?.startedAt ?? null,
      })
      if (this.timer) this.opts.book.apply(conditions, CONDITION_RULES, now)
    } finally {
      this.busy = false
    }
  }

  private async rejectsLastMinute(): Promise<number | null> {
    try {
      const { rows } = await this.opts.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM rejects WHERE rejected_at > now() - interval '1 minute'`,
      )
      return rows[0]?.n ?? 0
    } catch {
      return null // unknown, not zero: the rule stays quiet rather than clearing on a hiccup
    }
  }
}
