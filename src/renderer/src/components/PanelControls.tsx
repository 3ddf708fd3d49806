import { LATENCY_STAGES, type LatencyStage } from '@shared/kpi'
import type { ViewId } from '../charts/types'
import { STAGE_LABELS } from '../charts/latency/options'
import { requestWatch } from '../hooks/actions'
import { dispatch, useDashboard } from '../hooks/use-dashboard'
import type { PriceScale } from '../state/dashboard'

const SCALES: { value: PriceScale; label: string }[] = [
  { value: 'linear', label: 'Linear' },
  { value: 'log', label: 'Log' },
  { value: 'normalised', label: 'Normalised' },
]

const NO_SYMBOLS: string[] = []

/** The header choices of one view; most views have none. */
export function PanelControls({
  viewId,
  lossWindows,
}: {
  viewId: ViewId
  lossWindows?: number
}): React.JSX.Element | null {
  switch (viewId) {
    case 'avg-price':
    case 'price-range':
      return <PriceScaleSelect viewId={viewId} />
    case 'volume-trend':
    case 'candles':
      return <VolumeSymbolSelect viewId={viewId} />
    case 'latency':
      return <LatencyStageSelect />
    case 'data-loss':
      return lossWindows === undefined ? null : (
        <span className="badge" title="Windows with fewer symbols than symbols_subscribed">
          {lossWindows} short {lossWindows === 1 ? 'window' : 'windows'}
        </span>
      )
    default:
      return null
  }
}

function PriceScaleSelect({ viewId }: { viewId: 'avg-price' | 'price-range' }): React.JSX.Element {
  const scale = useDashboard((s) => s.priceScale[viewId])
  return (
    <select
      className="compact"
      data-testid={`price-scale-select-${viewId}`}
      aria-label="Price scale"
      value={scale}
      onChange={(e) => dispatch({ type: 'priceScale', view: viewId, scale: e.target.value as PriceScale })}
    >
      {SCALES.map((s) => (
        <option key={s.value} value={s.value}>
          {s.label}
        </option>
      ))}
    </select>
  )
}

/** The one chosen symbol of the volume trend and the candles (the watch's), picked in either panel. */
function VolumeSymbolSelect({ viewId }: { viewId: 'volume-trend' | 'candles' }): React.JSX.Element {
  const watch = useDashboard((s) => s.watch)
  const symbols = useDashboard((s) => s.config?.symbols ?? NO_SYMBOLS)
  const shown = useDashboard((s) => s.snapshot?.kpis.volumeTrend.symbol ?? null)
  const chosen = watch.symbol ?? ''
  // A chosen symbol stays selectable after it is unsubscribed: its history is still in the window.
  const options = chosen && !symbols.includes(chosen) ? [...symbols, chosen] : symbols
  return (
    <select
      className="compact"
      data-testid={viewId === 'candles' ? 'candles-symbol-select' : 'volume-symbol-select'}
      aria-label={viewId === 'candles' ? 'Symbol of the candles' : 'Symbol of the volume trend'}
      value={chosen}
      onChange={(e) => {
        const symbol = e.target.value
        requestWatch(symbol ? { window: watch.window, symbol } : { window: watch.window })
      }}
    >
      <option value="">{shown && !chosen ? `Busiest (${shown})` : 'Busiest'}</option>
      {options.map((s) => (
        <option key={s} value={s}>
          {s}
        </option>
      ))}
    </select>
  )
}

function LatencyStageSelect(): React.JSX.Element {
  const stage = useDashboard((s) => s.latencyStage)
  return (
    <select
      className="compact"
      data-testid="latency-stage-select"
      aria-label="Latency stage"
      value={stage}
      onChange={(e) => dispatch({ type: 'latencyStage', stage: e.target.value as LatencyStage })}
    >
      {LATENCY_STAGES.map((s) => (
        <option key={s} value={s}>
          {STAGE_LABELS[s]}
        </option>
      ))}
    </select>
  )
}
