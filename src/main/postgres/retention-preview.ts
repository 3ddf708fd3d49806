import { describeRemoval, type RemovedDay, type RetentionPreview } from '../../shared/storage'
import type { DropChoice, RetentionPolicy } from './retention-plan'
import { DAY_MS } from './trade-days'

/**
 * What a retention change would remove, said before it removes anything (the Storage section's
 * preview): pure, over a plan that retention.ts measured with the rules a run applies.
 */

export const isoDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10)
export const dayOfIso = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY_MS

export function removedDay(d: Pick<DropChoice, 'day' | 'bytes' | 'reason'>): RemovedDay {
  return { date: isoDay(d.day), bytes: d.bytes, reason: d.reason }
}

export function retentionPreview(chosen: readonly DropChoice[], policy: RetentionPolicy): RetentionPreview {
  const remove = [...chosen].sort((a, b) => a.day - b.day).map(removedDay)
  return {
    retentionDays: policy.retentionDays,
    diskBudgetGb: policy.budgetBytes === null ? null : policy.budgetBytes / 1_000_000_000,
    remove,
    bytes: remove.reduce((n, d) => n + d.bytes, 0),
    message: describeRemoval(remove),
  }
}

/** The days a plan would remove that the confirmed preview did not name: a change must not. */
export function beyondPreview(chosen: readonly DropChoice[], previewed: readonly string[]): DropChoice[] {
  const named = new Set(previewed)
  return chosen.filter((d) => !named.has(isoDay(d.day)))
}
