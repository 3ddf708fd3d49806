import { useCallback, useRef } from 'react'
import { api } from '../api'
import { useCommand } from '../hooks/use-command'
import { dispatch, useDashboard } from '../hooks/use-dashboard'
import { useKeydown } from '../hooks/use-keydown'
import { isStartStopShortcut, startStopAction } from '../state/pipeline-view'

const SHORTCUT = 'Ctrl+Enter / Cmd+Enter'

/** Starts the pipeline with the current settings, or stops (drains) it. */
export function StartStopButton(): React.JSX.Element {
  const state = useDashboard((s) => s.status?.state ?? null)
  const action = startStopAction(state)
  const button = useRef<HTMLButtonElement>(null)
  const toggle = useCallback(async () => {
    const status = await (action === 'start' ? api.startPipeline() : api.stopPipeline())
    dispatch({ type: 'status', status })
  }, [action])
  const cmd = useCommand(toggle)
  // A start waits for the broker while it comes up ("starting Kafka…"): Stop ends that wait.
  const stop = useCallback(async () => dispatch({ type: 'status', status: await api.stopPipeline() }), [])
  const stopCmd = useCommand(stop)
  const stopsStart = cmd.pending && state === 'starting'
  const disabled = (cmd.pending && !stopsStart) || stopCmd.pending || state === 'draining'

  useKeydown((e) => {
    if (!isStartStopShortcut(e)) return
    e.preventDefault()
    if (!disabled) button.current?.click()
  })

  return (
    <div className="start-stop">
      <button
        ref={button}
        type="button"
        className={action === 'start' ? 'primary' : 'danger'}
        data-testid="start-stop"
        disabled={disabled}
        title={`${action === 'start' ? 'Start the pipeline' : 'Stop the pipeline'} (${SHORTCUT})`}
        onClick={() => void (stopsStart ? stopCmd.run() : cmd.run())}
      >
        {action === 'start' ? 'Start' : 'Stop'}
      </button>
      {(stopCmd.error ?? cmd.error) && (
        <span className="inline-error" role="alert" data-testid="start-stop-error">
          {stopCmd.error ?? cmd.error}
        </span>
      )}
    </div>
  )
}
