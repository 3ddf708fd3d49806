import { dispatch, useDashboard } from '../hooks/use-dashboard'
import { AlertsBell } from './AlertsBell'
import { ExportButton } from './ExportButton'
import { PipelineState } from './PipelineState'
import { StartStopButton } from './StartStopButton'
import { WindowPicker } from './WindowPicker'

/** Start/Stop, the pipeline's state and source, the time window and its CSV, the zone, and the alerts. */
export function TopBar(): React.JSX.Element {
  const timeZone = useDashboard((s) => s.timeZone)
  return (
    <header className="top-bar">
      <span className="brand">Tickflow</span>
      <StartStopButton />
      <PipelineState />
      <span className="spacer" />
      <WindowPicker />
      <ExportButton />
      <label className="toggle" title="Show times in UTC instead of local time">
        <input
          type="checkbox"
          data-testid="utc-toggle"
          checked={timeZone === 'utc'}
          onChange={(e) => dispatch({ type: 'timeZone', timeZone: e.target.checked ? 'utc' : 'local' })}
        />
        UTC
      </label>
      <AlertsBell />
    </header>
  )
}
