import type pg from 'pg'
import type { AlertLevel } from '../../shared/status'
import {
  describeRemoval,
  type RetentionApplied,
  type RetentionPreview,
  type RetentionSettings,
  type StorageStatus,
} from '../../shared/storage'
import type { Settings } from '../config'
import { Emitter } from '../base/emitter'
import { serialize } from '../base/serial'
import { appLog, logListenerError } from '../log/logger'
import { planRetention } from './retention'
import { ownedDataPaths, ownedDirs, RetentionJob } from './retention-job'
import { retentionPolicy, type RetentionPolicy } from './retention-plan'
import { beyondPreview, dayOfIso, removedDay, retentionPreview } from './retention-preview'
import { measureStorage, StorageMeter } from './storage-meter'

/**
 * Disk use and retention for one set of services: the hourly retention job, the storage meter, and
 * the live change of retentionDays / diskBudgetGb (preview, then apply). The policy in force lives
 * here; onPolicyChange is the one hook for what must follow it (the Kafka topic's size limit).
 */
export interface StorageControl {
  status(): StorageStatus | null
  onMeasured(listener: (s: StorageStatus) => void): () => void
  /** the retention and disk budget in force; null: retention is off */
  policy(): RetentionPolicy | null
  /** Called with the new policy each time the user changes it (not at start: read policy()). */
  onPolicyChange(listener: (p: RetentionPolicy) => void): () => void
  /** What the change would remove now; removes nothing. */
  preview(change: RetentionSettings): Promise<RetentionPreview>
  /**
   * Saves the change (through `save`), puts it in force and runs retention now, removing none but
   * the previewed days. Refused, with nothing saved, when the plan now names a day the preview did not.
   */
  apply(
    change: RetentionSettings,
    previewed: readonly string[],
    save: (change: RetentionSettings) => Promise<void>,
  ): Promise<RetentionApplied>
  start(): void
  stop(): Promise<void>
}

/** A change the caller must look at again; its message says why. Nothing was changed. */
export class StorageChangeError extends Error {}

export function createStorageControl(opts: {
  settings: Settings
  pool: pg.Pool
  own: { postgres: boolean; kafka: boolean }
  notify(level: AlertLevel, message: string): void
}): StorageControl {
  const { settings, pool } = opts
  // The values as set (undefined: the default), so a change of one keeps the other's "unset".
  const current = { retentionDays: settings.retentionDays, diskBudgetGb: settings.diskBudgetGb }
  const policyOf = (c: typeof current): RetentionPolicy | null =>
    retentionPolicy({ databaseUrl: settings.databaseUrl, ...c })
  let policy = policyOf(current)
  const ownedPaths = ownedDataPaths(settings, opts.own)
  const dirs = ownedDirs(settings, opts.own)
  const meter = new StorageMeter(() => measureStorage({ pool, dataDir: settings.dataDir, dirs, policy }))
  const newJob = (p: RetentionPolicy): RetentionJob =>
    new RetentionJob({
      pool,
      policy: p,
      ownedPaths,
      notify: opts.notify,
      afterRun: () => void meter.refresh(),
    })
  let job: RetentionJob | null = policy ? newJob(policy) : null
  if (!policy)
    appLog('retention').info('retention is off: the database is external and --retention-days was not given')
  // a follower that fails must not undo the change, nor starve the others
  const policyListeners = new Emitter<RetentionPolicy>(logListenerError('retention', 'policy'))
  const changing = serialize()

  // retentionDays is always given, so the policy is never off.
  const proposed = (change: RetentionSettings): RetentionPolicy =>
    policyOf({
      retentionDays: change.retentionDays,
      diskBudgetGb: change.diskBudgetGb ?? current.diskBudgetGb,
    })!

  return {
    status: () => meter.latest(),
    onMeasured: (l) => meter.onMeasured(l),
    policy: () => policy,
    onPolicyChange(listener) {
      return policyListeners.on(listener)
    },

    async preview(change) {
      const p = proposed(change)
      const plan = await planRetention({ pool, policy: p, ownedPaths })
      return retentionPreview(plan.chosen, p)
    },

    apply: (change, previewed, save) =>
      changing(async () => {
        const next = proposed(change)
        const plan = await planRetention({ pool, policy: next, ownedPaths })
        const extra = beyondPreview(plan.chosen, previewed)
        if (extra.length > 0)
          throw new StorageChangeError(
            `the data changed since the preview: the change ${describeRemoval(extra.map(removedDay), 'would now also remove')}; preview it again`,
          )
        await save(change)
        current.retentionDays = change.retentionDays
        if (change.diskBudgetGb !== undefined) current.diskBudgetGb = change.diskBudgetGb
        policy = next
        appLog('retention').info({ policy }, 'retention changed by the user')
        if (job) job.setPolicy(next)
        else {
          job = newJob(next)
          job.start({ runNow: false })
        }
        policyListeners.fire(next)
        const r = await job.runOnce({ onlyDays: new Set(previewed.map(dayOfIso)) })
        const storage = await meter.refresh()
        if (!r)
          return {
            removed: [],
            deferred: [],
            message: 'Saved. Retention could not run now (see the alerts); it tries again in an hour',
            storage,
          }
        const removed = r.dropped.map(removedDay)
        const deferred = r.deferred.map(removedDay)
        const left = deferred.length
          ? `; ${deferred.length} day(s) left for the next run: trades was busy`
          : ''
        return { removed, deferred, message: `Saved. ${describeRemoval(removed, 'Removed')}${left}`, storage }
      }),

    start() {
      meter.start()
      job?.start()
    },
    async stop() {
      await job?.stop()
      await meter.stop()
    },
  }
}
