import { useDashboard } from '../hooks/use-dashboard'
import { stateWord } from '../state/pipeline-view'

const SOURCE_LABELS = { demo: 'Demo', finnhub: 'Finnhub', replay: 'Replay' } as const

/** The pipeline's state word and why (a failure's reason), and where trades come from. */
export function PipelineState(): React.JSX.Element {
  const state = useDashboard((s) => s.status?.state ?? null)
  const detail = useDashboard((s) => s.status?.detail ?? null)
  const running = useDashboard((s) => s.status?.source?.kind ?? null)
  const configured = useDashboard((s) => s.config?.source ?? null)
  const word = state ? stateWord(state) : null
  const source = running ?? configured
  return (
    <div className="pipeline-state">
      <span className={`state-pill state-${word ?? 'unknown'}`} data-testid="pipeline-state">
        {word ?? '…'}
      </span>
      <span className="pipeline-detail" data-testid="pipeline-detail" title={detail ?? undefined}>
        {detail ?? ''}
      </span>
      {source && (
        <span className="muted" data-testid="pipeline-source" title="Source of trades">
          {SOURCE_LABELS[source]}
        </span>
      )}
    </div>
  )
}
