import { useEffect, useState } from 'react'
import type { PipelineStatus } from '../../shared/status'
import { DEFAULT_SYMBOLS } from '../../shared/symbols'

/** The pipeline's controls and status; the KPI views arrive with the UI issue. */
export function App(): React.JSX.Element {
  const [status, setStatus] = useState<PipelineStatus | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    void window.api.getStatus(undefined).then(setStatus, (e: Error) => setError(e.message))
    return window.api.on('status', setStatus)
  }, [])

  const run = (p: Promise<PipelineStatus>): void => {
    setError(null)
    p.then(setStatus, (e: Error) => setError(e.message))
  }

  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: 16 }}>
      <h1>Tickflow</h1>
      <button onClick={() => run(window.api.startPipeline({ source: 'demo', symbols: DEFAULT_SYMBOLS }))}>
        Start demo
      </button>{' '}
      <button onClick={() => run(window.api.stopPipeline(undefined))}>Stop</button>
      {error && <p role="alert">{error}</p>}
      <p data-testid="state">State: {status?.state ?? 'unknown'}</p>
      {status && (
        <p data-testid="counters">
          Received {status.counters.received} · written {status.counters.written} · rejected{' '}
          {status.counters.rejected} · dropped {status.counters.dropped}
        </p>
      )}
    </main>
  )
}
