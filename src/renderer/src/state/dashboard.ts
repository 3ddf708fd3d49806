import type { AppConfig, WindowSnapshot } from '@shared/contract'
import type { LatencyStage } from '@shared/kpi'
import type { Alert, PipelineStatus } from '@shared/status'
import type { Thresholds } from '@shared/thresholds'
import type { WatchRequest } from '@shared/windows'
import type { ViewId } from '../charts/types'
import { expireToasts, mergeAlerts, pushToast, toastFor, type Toast } from './alerts'
import type { ConnectionState } from './panel-state'
import type { TimeZoneMode } from './time-range'

export type PriceScale = 'linear' | 'log' | 'normalised'
export type ScaledView = 'avg-price' | 'price-range'

/** Everything the dashboard shows. Only the latest snapshot is kept. */
export interface DashboardState {
  connection: ConnectionState
  /** the first load (status, settings, alerts) failed: why */
  loadError: string | null
  status: PipelineStatus | null
  config: AppConfig | null
  /** what this client watches; `watchSeq` counts the requests made */
  watch: WatchRequest
  watchSeq: number
  /** a watch request is in flight: pushed snapshots of the old watch are ignored until it replies */
  watchPending: boolean
  snapshot: WindowSnapshot | null
  /** the last watch/snapshot failure, cleared by the next snapshot */
  watchError: string | null
  alerts: Alert[]
  toasts: readonly Toast[]
  /** the alerts list is open (the bell, or a clicked notification) */
  alertsOpen: boolean
  timeZone: TimeZoneMode
  sideCollapsed: boolean
  maximised: ViewId | null
  priceScale: Record<ScaledView, PriceScale>
  latencyStage: LatencyStage
}

export type DashboardAction =
  | { type: 'connection'; state: ConnectionState }
  | { type: 'loadError'; message: string }
  | { type: 'status'; status: PipelineStatus }
  | { type: 'config'; config: AppConfig }
  | { type: 'symbols'; symbols: string[] }
  | { type: 'thresholds'; thresholds: Thresholds }
  | { type: 'watch'; watch: WatchRequest }
  | { type: 'watchReply'; seq: number; snapshot: WindowSnapshot }
  | { type: 'watchError'; seq: number; message: string }
  | { type: 'snapshot'; snapshot: WindowSnapshot }
  | { type: 'alerts'; alerts: Alert[] }
  | { type: 'alert'; alert: Alert; now: number }
  | { type: 'expireToasts'; now: number }
  | { type: 'dismissToast'; key: string }
  | { type: 'alertsOpen'; open: boolean }
  | { type: 'timeZone'; timeZone: TimeZoneMode }
  | { type: 'sideCollapsed'; collapsed: boolean }
  | { type: 'maximise'; view: ViewId | null }
  | { type: 'priceScale'; view: ScaledView; scale: PriceScale }
  | { type: 'latencyStage'; stage: LatencyStage }

export const initialDashboard: DashboardState = {
  connection: 'connecting',
  loadError: null,
  status: null,
  config: null,
  watch: { window: { preset: '5m' } },
  watchSeq: 0,
  watchPending: false,
  snapshot: null,
  watchError: null,
  alerts: [],
  toasts: [],
  alertsOpen: false,
  timeZone: 'local',
  sideCollapsed: false,
  maximised: null,
  // BTC near 60,000 beside FX near 1: on a linear axis every bar but one is invisible at first sight.
  priceScale: { 'avg-price': 'log', 'price-range': 'normalised' },
  latencyStage: 'trade_to_db',
}

export function dashboardReducer(s: DashboardState, a: DashboardAction): DashboardState {
  switch (a.type) {
    case 'connection':
      return s.connection === a.state ? s : { ...s, connection: a.state }
    case 'loadError':
      return { ...s, loadError: a.message }
    case 'status':
      return { ...s, status: a.status, loadError: null }
    case 'config':
      return { ...s, config: a.config }
    case 'symbols':
      return s.config ? { ...s, config: { ...s.config, symbols: a.symbols } } : s
    case 'thresholds':
      return s.config ? { ...s, config: { ...s.config, thresholds: a.thresholds } } : s
    case 'watch':
      return { ...s, watch: a.watch, watchSeq: s.watchSeq + 1, watchPending: true }
    case 'watchReply':
      if (a.seq !== s.watchSeq) return s
      return { ...s, snapshot: a.snapshot, watchPending: false, watchError: null }
    case 'watchError':
      if (a.seq !== s.watchSeq) return s
      return { ...s, watchPending: false, watchError: a.message }
    case 'snapshot':
      if (s.watchPending) return s
      return { ...s, snapshot: a.snapshot, watchError: null }
    case 'alerts':
      return { ...s, alerts: mergeAlerts(s.alerts, a.alerts) }
    case 'alert': {
      const toast = toastFor(s.alerts, a.alert, a.now)
      return {
        ...s,
        alerts: mergeAlerts(s.alerts, [a.alert]),
        toasts: toast ? pushToast(s.toasts, toast) : s.toasts,
      }
    }
    case 'expireToasts': {
      const toasts = expireToasts(s.toasts, a.now)
      return toasts === s.toasts ? s : { ...s, toasts }
    }
    case 'dismissToast':
      return { ...s, toasts: s.toasts.filter((t) => t.key !== a.key) }
    case 'alertsOpen':
      return s.alertsOpen === a.open ? s : { ...s, alertsOpen: a.open }
    case 'timeZone':
      return { ...s, timeZone: a.timeZone }
    case 'sideCollapsed':
      return { ...s, sideCollapsed: a.collapsed }
    case 'maximise':
      return { ...s, maximised: a.view }
    case 'priceScale':
      return { ...s, priceScale: { ...s.priceScale, [a.view]: a.scale } }
    case 'latencyStage':
      return { ...s, latencyStage: a.stage }
  }
}
