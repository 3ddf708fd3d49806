import type { WatchRequest } from '@shared/windows'
import { api } from '../api'
import { appStore } from '../state/app-store'
import { errorMessage } from '../state/errors'
import { clickedSymbol, type ChartClick } from '../state/symbol-click'

/** Watches a new window or symbol (volume trend and candles); its reply is the first snapshot of it. */
export function requestWatch(watch: WatchRequest): void {
  appStore.dispatch({ type: 'watch', watch })
  const seq = appStore.getState().watchSeq
  api.watch(watch).then(
    (snapshot) => appStore.dispatch({ type: 'watchReply', seq, snapshot }),
    (e: unknown) => appStore.dispatch({ type: 'watchError', seq, message: errorMessage(e) }),
  )
}

/**
 * A click on a chart that names a symbol (a bar or slice of a per-symbol view, a symbol's line)
 * picks it for the volume trend and the candles: the one chosen symbol of the watch.
 */
export function pickSymbol(click: ChartClick): void {
  const s = appStore.getState()
  const known = [...(s.config?.symbols ?? []), ...(s.snapshot?.kpis.symbols.map((k) => k.symbol) ?? [])]
  const symbol = clickedSymbol(click, known)
  if (symbol !== null && symbol !== s.watch.symbol) requestWatch({ window: s.watch.window, symbol })
}

/** Loads what events only update: status, settings and alerts (at start and after a reconnect). */
export function reload(): void {
  const d = appStore.dispatch
  const fail = (e: unknown): void => d({ type: 'loadError', message: errorMessage(e) })
  api.getStatus().then((status) => d({ type: 'status', status }), fail)
  api.getConfig().then((config) => d({ type: 'config', config }), fail)
  api.getAlerts().then((alerts) => d({ type: 'alerts', alerts }), fail)
}
