import { useCallback, useMemo, useRef, useState } from 'react'
import type { ChartContext, ViewDef } from '../charts/types'
import { lossWindowCount } from '../charts/data-loss/options'
import { pickSymbol } from '../hooks/actions'
import { dispatch, useDashboard } from '../hooks/use-dashboard'
import { buildView } from '../state/build-view'
import { emptyMessage, isStale, panelState } from '../state/panel-state'
import { useChartCapture } from '../hooks/use-chart-capture'
import { EChart, type EChartHandle } from './EChart'
import { PanelCsv } from './ExportButton'
import { PanelControls } from './PanelControls'
import { PanelImage } from './PanelImage'

/** The display settings every panel shares; each panel adds its own header choices. */
export type BaseContext = Omit<ChartContext, 'priceScale' | 'latencyStage'>

interface Props {
  view: ViewDef
  base: BaseContext
  maximised: boolean
}

/** One view: header, definition, its chart from the latest snapshot, and its display state. */
export function Panel({ view, base, maximised }: Props): React.JSX.Element {
  const snapshot = useDashboard((s) => s.snapshot)
  const watchError = useDashboard((s) => s.watchError)
  const stale = useDashboard((s) =>
    isStale(s.connection, s.status?.state ?? null, s.status?.source?.state ?? null),
  )
  const pipeline = useDashboard((s) => s.status?.state ?? null)
  const custom = useDashboard((s) => !('preset' in s.watch.window))
  const priceScale = useDashboard((s) =>
    view.id === 'avg-price' || view.id === 'price-range' ? s.priceScale[view.id] : 'linear',
  )
  const latencyStage = useDashboard((s) => s.latencyStage)
  const stage = view.id === 'latency' ? latencyStage : 'trade_to_db'

  const ctx = useMemo<ChartContext>(
    () => ({ ...base, priceScale, latencyStage: stage }),
    [base, priceScale, stage],
  )
  const built = useMemo(() => (snapshot ? buildView(view, snapshot, ctx) : null), [view, snapshot, ctx])
  const [updated, setUpdated] = useState(0)
  const onApplied = useCallback(() => setUpdated((n) => n + 1), [])
  const chart = useRef<EChartHandle>(null)
  const capture = useChartCapture(chart, view, snapshot, base)

  const error = watchError ?? (built && !built.ok ? built.error : null)
  const empty = built?.ok === true && built.empty
  const state = panelState({ hasSnapshot: snapshot !== null, isEmpty: empty, error, stale })
  const lossWindows = view.id === 'data-loss' && snapshot ? lossWindowCount(snapshot) : undefined
  // For tests and the bench: the symbols in the window, the threshold line the data-loss view
  // draws, and when the query of the shown snapshot started (data-snapshot-at).
  const symbols = useMemo(() => snapshot?.kpis.symbols.map((k) => k.symbol).join('|'), [snapshot])
  const threshold = view.id === 'data-loss' && built?.ok ? ctx.symbolsSubscribed : undefined
  // the data-loss bars: one per window, or one per summary bucket from a day on
  const lossBars =
    view.id === 'data-loss' && snapshot
      ? (snapshot.kpis.dataLoss.summary?.buckets ?? snapshot.kpis.dataLoss.buckets).length
      : undefined

  return (
    <section
      className={`panel panel-${state}${maximised ? ' is-maximised' : ''}`}
      data-testid={`panel-${view.id}`}
      data-state={state}
      data-updated={updated}
      data-snapshot-at={snapshot?.at}
      data-loss-windows={lossWindows}
      data-loss-bars={lossBars}
      data-window-ms={snapshot ? snapshot.kpis.to - snapshot.kpis.from : undefined}
      data-threshold={threshold}
      data-symbols={symbols}
      aria-label={view.title}
    >
      <header className="panel-header">
        <div className="panel-titles">
          <h2 className="panel-title" title={view.howComputed}>
            {view.title}
          </h2>
          <p className="panel-definition" title={view.howComputed}>
            {view.definition}
          </p>
        </div>
        <div className="panel-tools">
          {state === 'stale' && <span className="badge badge-stale">stale</span>}
          <PanelControls viewId={view.id} lossWindows={lossWindows} />
          <PanelCsv viewId={view.id} />
          <PanelImage
            viewId={view.id}
            title={view.title}
            available={built?.ok === true && !built.empty}
            capture={capture}
          />
          <button
            type="button"
            className="icon-button"
            data-testid={`panel-maximise-${view.id}`}
            aria-pressed={maximised}
            aria-label={maximised ? `Restore ${view.title}` : `Maximise ${view.title}`}
            title={maximised ? 'Restore (Esc)' : 'Maximise'}
            onClick={() => dispatch({ type: 'maximise', view: maximised ? null : view.id })}
          >
            {maximised ? '⤡' : '⤢'}
          </button>
        </div>
      </header>
      <div className="panel-body">
        {built?.ok && !built.empty && (
          <EChart
            ref={chart}
            option={built.option}
            theme={base.theme}
            onApplied={onApplied}
            onClick={pickSymbol}
          />
        )}
        {state === 'loading' && <div className="panel-msg">Loading…</div>}
        {empty && state !== 'error' && <div className="panel-msg">{emptyMessage(pipeline, custom)}</div>}
        {state === 'error' && (
          <div className="panel-msg panel-msg-error" role="alert">
            {error}
          </div>
        )}
      </div>
    </section>
  )
}
