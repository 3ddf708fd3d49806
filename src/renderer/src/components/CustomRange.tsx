import { useState } from 'react'
import { checkCustomRange, toInputValue, type TimeZoneMode } from '../state/time-range'

interface Props {
  initial: { from: number; to: number } | null
  timeZone: TimeZoneMode
  onApply: (range: { from: number; to: number }) => void
  onCancel: () => void
}

const HOUR = 3_600_000

/** Two datetime-local inputs read in the shown zone; the range is checked before it is watched. */
export function CustomRange({ initial, timeZone, onApply, onCancel }: Props): React.JSX.Element {
  const [start] = useState(
    () =>
      initial ?? {
        from: Math.floor(Date.now() / 60_000) * 60_000 - HOUR,
        to: Math.ceil(Date.now() / 60_000) * 60_000,
      },
  )
  const [from, setFrom] = useState(() => toInputValue(start.from, timeZone))
  const [to, setTo] = useState(() => toInputValue(start.to, timeZone))
  const [error, setError] = useState<string | null>(null)
  const zone = timeZone === 'utc' ? 'UTC' : 'local time'

  const apply = (e: React.FormEvent): void => {
    e.preventDefault()
    const check = checkCustomRange(from, to, timeZone)
    if (!check.ok) return setError(check.message)
    setError(null)
    onApply({ from: check.from, to: check.to })
  }

  return (
    <form className="custom-range" onSubmit={apply} noValidate>
      <label>
        <span className="sr-only">Start ({zone})</span>
        <input
          type="datetime-local"
          data-testid="custom-from"
          value={from}
          title={`Start, ${zone}`}
          onChange={(e) => setFrom(e.target.value)}
        />
      </label>
      <span className="muted">–</span>
      <label>
        <span className="sr-only">End ({zone})</span>
        <input
          type="datetime-local"
          data-testid="custom-to"
          value={to}
          title={`End, ${zone}`}
          onChange={(e) => setTo(e.target.value)}
        />
      </label>
      <button type="submit" data-testid="custom-apply">
        Apply
      </button>
      <button type="button" className="link" onClick={onCancel}>
        Cancel
      </button>
      {error && (
        <span className="inline-error" role="alert" data-testid="custom-error">
          {error}
        </span>
      )}
    </form>
  )
}
