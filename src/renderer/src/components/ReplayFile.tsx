import { useCallback, useEffect, useState } from 'react'
import type { AppConfig, Recording } from '@shared/contract'
import { formatBytes } from '@shared/storage'
import { api, browserMode } from '../api'
import { formatTime } from '../format/format'
import { useCommand } from '../hooks/use-command'
import { dispatch, useDashboard } from '../hooks/use-dashboard'
import { useLocale } from '../hooks/use-locale'

/** The select's value for a replay file that is none of the recordings (the app's dialog chose it). */
const OTHER_FILE = '\0other'

interface Props {
  config: Pick<AppConfig, 'replayFile' | 'replayRecording'>
  disabled: boolean
  /** the user picked one of the recordings */
  onPick: (recording: string) => void
}

/**
 * The replay's file: one of the recordings in the data dir's recordings folder, as the server
 * lists them, or in the app a file chosen in main's open dialog. The page never sends a path.
 */
export function ReplayFile({ config, disabled, onPick }: Props): React.JSX.Element {
  const timeZone = useDashboard((s) => s.timeZone)
  const locale = useLocale()
  const [recordings, setRecordings] = useState<Recording[] | null>(null)
  const list = useCommand(
    useCallback(async () => {
      const found = await api.listRecordings()
      setRecordings(found)
      return found
    }, []),
  )
  const choose = useCommand(
    useCallback(async () => {
      const config = await api.chooseReplayFile()
      if (config) dispatch({ type: 'config', config })
      return config
    }, []),
  )
  const refresh = list.run
  useEffect(() => void refresh(), [refresh])

  const current = config.replayRecording
  const shown = [...(recordings ?? [])]
  // One that went from the folder since it was chosen still shows as the choice.
  if (current && !shown.some((r) => r.name === current))
    shown.unshift({ name: current, bytes: -1, modifiedAt: -1 })
  const value = current ?? (config.replayFile ? OTHER_FILE : '')
  const describe = (r: Recording): string =>
    r.bytes < 0
      ? `${r.name} (missing)`
      : `${r.name} (${formatBytes(r.bytes)}, ${formatTime(r.modifiedAt, { timeZone, locale }, true)})`

  return (
    <>
      <label className="field">
        <span>Recording</span>
        <select
          data-testid="replay-recording"
          value={value}
          disabled={disabled}
          onChange={(e) => e.target.value !== OTHER_FILE && onPick(e.target.value)}
        >
          {value === '' && (
            <option value="" disabled>
              {recordings?.length === 0 ? 'No recordings yet' : 'Choose a recording…'}
            </option>
          )}
          {value === OTHER_FILE && (
            <option value={OTHER_FILE} disabled>
              {config.replayFile}
            </option>
          )}
          {shown.map((r) => (
            <option key={r.name} value={r.name}>
              {describe(r)}
            </option>
          ))}
        </select>
      </label>
      <div className="row">
        <button type="button" className="link" data-testid="replay-refresh" onClick={() => void refresh()}>
          Refresh list
        </button>
        {!browserMode && (
          <button
            type="button"
            data-testid="replay-choose"
            disabled={disabled || choose.pending}
            onClick={() => void choose.run()}
          >
            Choose file…
          </button>
        )}
      </div>
      {recordings?.length === 0 && (
        <p className="muted" data-testid="replay-none">
          Record one with <code>--record NAME.jsonl</code>: it goes to the recordings folder in the data dir.
        </p>
      )}
      {(list.error ?? choose.error) && (
        <p className="inline-error" role="alert" data-testid="replay-error">
          {list.error ?? choose.error}
        </p>
      )}
    </>
  )
}
