import { retentionSettingsSchema, type RetentionSettings } from '@shared/storage'
import { parseNumberInput } from './forms'

export type RetentionFormCheck =
  { ok: true; value: RetentionSettings } | { ok: false; field: keyof RetentionSettings; message: string }

/**
 * The Storage section's two inputs as a change: checked here with the settings' own schema, so a
 * bad value is said at once and nothing is sent. `budget` null: no budget applies (an external
 * database), so none is sent and the stored one stays.
 */
export function checkRetentionForm(days: string, budget: string | null): RetentionFormCheck {
  const d = parseNumberInput(days)
  if (!d.ok) return { ok: false, field: 'retentionDays', message: `retention days: ${d.message}` }
  const value: RetentionSettings = { retentionDays: d.value }
  if (budget !== null) {
    const b = parseNumberInput(budget)
    if (!b.ok) return { ok: false, field: 'diskBudgetGb', message: `disk budget: ${b.message}` }
    value.diskBudgetGb = b.value
  }
  const r = retentionSettingsSchema.safeParse(value)
  if (r.success) return { ok: true, value: r.data }
  const issue = r.error.issues[0]!
  return { ok: false, field: issue.path[0] as keyof RetentionSettings, message: issue.message }
}
