import { useCallback, useState } from 'react'
import {
  describeStorage,
  formatDiskUse,
  type RetentionPreview,
  type RetentionSettings,
} from '@shared/storage'
import { api } from '../api'
import { useCommand } from '../hooks/use-command'
import { useDashboard } from '../hooks/use-dashboard'
import { checkRetentionForm } from '../state/storage-form'

/**
 * Disk use, and retention edited live: a change is previewed first (what it would remove, measured
 * now), and only a confirmed preview is applied, which removes no day the preview did not name.
 */
export function StorageSection(): React.JSX.Element {
  const storage = useDashboard((s) => s.status?.storage ?? null)
  const embedded = useDashboard((s) => s.status?.postgres.embedded ?? true)
  const [days, setDays] = useState<string | null>(null)
  const [budget, setBudget] = useState<string | null>(null)
  const [invalid, setInvalid] = useState<{ field: keyof RetentionSettings; message: string } | null>(null)
  const [pending, setPending] = useState<{ change: RetentionSettings; preview: RetentionPreview } | null>(
    null,
  )
  const [done, setDone] = useState<string | null>(null)
  const preview = useCommand(useCallback((c: RetentionSettings) => api.previewRetention(c), []))
  const apply = useCommand(
    useCallback(
      (c: RetentionSettings, p: RetentionPreview) =>
        api.setRetention({ ...c, previewed: p.remove.map((d) => d.date) }),
      [],
    ),
  )

  // The inputs follow the values in force until the user edits them.
  const daysText = days ?? (storage?.retentionDays != null ? String(storage.retentionDays) : '')
  const budgetText = budget ?? (storage?.diskBudgetGb != null ? String(storage.diskBudgetGb) : '')
  const edited = (): void => {
    setInvalid(null)
    setPending(null)
    setDone(null)
    preview.clearError()
    apply.clearError()
  }

  const ask = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault()
    edited()
    const check = checkRetentionForm(daysText, embedded ? budgetText : null)
    if (!check.ok) return setInvalid(check)
    const p = await preview.run(check.value)
    if (p) setPending({ change: check.value, preview: p })
  }
  const confirm = async (): Promise<void> => {
    if (!pending) return
    const r = await apply.run(pending.change, pending.preview)
    if (!r) return
    setPending(null)
    setDays(null)
    setBudget(null)
    setDone(r.message)
  }

  const error = invalid?.message ?? preview.error ?? apply.error
  const off = storage !== null && storage.retentionDays === null
  return (
    <section className="side-section" aria-labelledby="storage-heading">
      <h3 id="storage-heading">Storage</h3>
      {storage === null ? (
        <p className="muted">Measuring…</p>
      ) : (
        <p data-testid="storage-use" title={describeStorage(storage).join('\n')}>
          {formatDiskUse(storage)}
        </p>
      )}
      {off && (
        <p className="muted note">Retention is off: the database is external and no retention was set.</p>
      )}
      <form className="storage-form" onSubmit={(e) => void ask(e)} noValidate>
        <label className="field">
          <span>Retention days</span>
          <input
            type="number"
            inputMode="numeric"
            data-testid="retention-days"
            aria-invalid={invalid?.field === 'retentionDays'}
            value={daysText}
            placeholder={off ? 'off' : undefined}
            onChange={(e) => {
              setDays(e.target.value)
              edited()
            }}
          />
        </label>
        <label className="field">
          <span>Disk budget GB</span>
          <input
            type="number"
            inputMode="decimal"
            data-testid="disk-budget-gb"
            aria-invalid={invalid?.field === 'diskBudgetGb'}
            value={embedded ? budgetText : ''}
            placeholder={embedded ? undefined : 'none'}
            disabled={!embedded}
            title={embedded ? 'What the data dir may take before the oldest days go' : undefined}
            onChange={(e) => {
              setBudget(e.target.value)
              edited()
            }}
          />
        </label>
        {!embedded && (
          <p className="muted note">No disk budget on an external database: only the days count there.</p>
        )}
        <div className="row">
          <button type="submit" data-testid="retention-preview" disabled={preview.pending || apply.pending}>
            {preview.pending ? 'Measuring…' : 'Preview'}
          </button>
        </div>
      </form>
      {pending && (
        <div className="storage-preview" data-testid="retention-preview-result">
          <p className={pending.preview.remove.length ? 'inline-warning' : 'muted'}>
            {capitalise(pending.preview.message)}
          </p>
          <div className="row">
            <button
              type="button"
              data-testid="retention-apply"
              disabled={apply.pending}
              onClick={() => void confirm()}
            >
              {apply.pending ? 'Applying…' : pending.preview.remove.length ? 'Apply and remove' : 'Apply'}
            </button>
            <button type="button" data-testid="retention-cancel" onClick={() => setPending(null)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {error && (
        <p className="inline-error" role="alert" data-testid="retention-error">
          {error}
        </p>
      )}
      {done && (
        <p className="inline-ok" role="status" data-testid="retention-done">
          {done}
        </p>
      )}
    </section>
  )
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1)
