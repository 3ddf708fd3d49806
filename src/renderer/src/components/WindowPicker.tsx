import { useState } from 'react'
import { WINDOW_PRESET_LABELS, WINDOW_PRESETS, type WindowPreset } from '@shared/windows'
import { formatTime } from '../format/format'
import { requestWatch } from '../hooks/actions'
import { useDashboard } from '../hooks/use-dashboard'
import { useLocale } from '../hooks/use-locale'
import { CustomRange } from './CustomRange'

/** The time window: a sliding preset, or a custom range of up to MAX_RANGE_DAYS (400 days). */
export function WindowPicker(): React.JSX.Element {
  const watch = useDashboard((s) => s.watch)
  const timeZone = useDashboard((s) => s.timeZone)
  const locale = useLocale()
  const [editing, setEditing] = useState(false)
  const win = watch.window
  const value = editing || !('preset' in win) ? 'custom' : win.preset

  const onSelect = (v: string): void => {
    if (v === 'custom') return setEditing(true)
    setEditing(false)
    requestWatch({ ...watch, window: { preset: v as WindowPreset } })
  }

  return (
    <div className="window-picker">
      <select
        data-testid="window-select"
        aria-label="Time window"
        value={value}
        onChange={(e) => onSelect(e.target.value)}
      >
        {WINDOW_PRESETS.map((p) => (
          <option key={p} value={p}>
            {WINDOW_PRESET_LABELS[p]}
          </option>
        ))}
        <option value="custom">Custom…</option>
      </select>
      {!editing && !('preset' in win) && (
        <button type="button" className="link" title="Edit the range" onClick={() => setEditing(true)}>
          {formatTime(win.from, { timeZone, locale }, true)} –{' '}
          {formatTime(win.to, { timeZone, locale }, true)}
        </button>
      )}
      {editing && (
        <CustomRange
          initial={'preset' in win ? null : win}
          timeZone={timeZone}
          onApply={(range) => {
            setEditing(false)
            requestWatch({ ...watch, window: range })
          }}
          onCancel={() => setEditing(false)}
        />
      )}
    </div>
  )
}
