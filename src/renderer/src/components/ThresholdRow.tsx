import { useCallback, useState } from 'react'
import { THRESHOLD_SPECS, type ThresholdId } from '@shared/thresholds'
import { api } from '../api'
import { useCommand } from '../hooks/use-command'
import { dispatch } from '../hooks/use-dashboard'
import { parseNumberInput } from '../state/forms'

interface Props {
  id: ThresholdId
  /** the stored value */
  value: number
  /** symbols_subscribed keeps its value (true) or follows the subscription (false) */
  pinned: boolean
}

/** One threshold: its description, a number input and Save; the server's refusal shows inline. */
export function ThresholdRow({ id, value, pinned }: Props): React.JSX.Element {
  // null: not edited, so the input follows the stored value as it changes
  const [draft, setDraft] = useState<string | null>(null)
  const [invalid, setInvalid] = useState<string | null>(null)
  const save = useCommand(
    useCallback(
      async (v: number) => {
        const thresholds = await api.setThreshold({ id, value: v })
        dispatch({ type: 'thresholds', thresholds })
        return thresholds
      },
      [id],
    ),
  )
  const pin = useCommand(
    useCallback(
      async (p: boolean) =>
        dispatch({ type: 'config', config: await api.pinSymbolsSubscribed({ pinned: p }) }),
      [],
    ),
  )
  const isSubscribed = id === 'symbols_subscribed'

  const submit = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault()
    const parsed = parseNumberInput(draft ?? String(value))
    if (!parsed.ok) return setInvalid(parsed.message)
    setInvalid(null)
    if (await save.run(parsed.value)) setDraft(null)
  }

  const error = invalid ?? save.error ?? pin.error
  return (
    <form className="threshold-row" onSubmit={(e) => void submit(e)} noValidate>
      <label className="threshold-label" htmlFor={`threshold-${id}`}>
        <code>{id}</code>
        <span className="muted">{THRESHOLD_SPECS[id].description}</span>
      </label>
      <div className="row">
        <input
          id={`threshold-${id}`}
          type="number"
          inputMode="numeric"
          data-testid={`threshold-${id}`}
          aria-invalid={error !== null}
          value={draft ?? String(value)}
          onChange={(e) => {
            setDraft(e.target.value)
            setInvalid(null)
            save.clearError()
          }}
        />
        <button type="submit" data-testid={`threshold-save-${id}`} disabled={save.pending}>
          Save
        </button>
      </div>
      {isSubscribed && (
        <label
          className="toggle"
          title="Pinned: keeps its value. Unpinned: follows the number of subscribed symbols."
        >
          <input
            type="checkbox"
            data-testid="symbols-subscribed-pin"
            checked={pinned}
            disabled={pin.pending}
            onChange={(e) => void pin.run(e.target.checked)}
          />
          Pin {pinned ? '' : <span className="muted">(follows the symbol list)</span>}
        </label>
      )}
      {error && (
        <p className="inline-error" role="alert" data-testid={`threshold-error-${id}`}>
          {error}
        </p>
      )}
    </form>
  )
}
