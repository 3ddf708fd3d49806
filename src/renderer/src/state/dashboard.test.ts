import { describe, expect, it } from 'vitest'
import type { AppConfig, WindowSnapshot } from '@shared/contract'
import type { Alert } from '@shared/status'
import { DEFAULT_THRESHOLDS } from '@shared/thresholds'
import { dashboardReducer as reduce, initialDashboard, type DashboardState } from './dashboard'
import { createStore } from './store'

const snap = (tag: number): WindowSnapshot =>
  ({ watch: { window: { preset: '5m' } }, lag: [], kpis: { totalTrades: tag } }) as unknown as WindowSnapshot
const config: AppConfig = {
  source: 'demo',
  replayFile: null,
  replayRecording: null,
  speed: 1,
  demoRate: 50,
  finnhubToken: 'not set',
  symbols: ['AAPL'],
  thresholds: DEFAULT_THRESHOLDS,
  symbolsSubscribedPinned: false,
}
const alert: Alert = {
  id: 'drops',
  rule: 'drops',
  level: 'warn',
  message: 'dropping',
  at: 5,
  clearedAt: null,
}

const watched = (): DashboardState =>
  reduce(initialDashboard, { type: 'watch', watch: { window: { preset: '1h' } } })

describe('dashboardReducer', () => {
  it('takes the reply of the latest watch only, and ignores pushes while one is pending', () => {
    let s = watched()
    expect(s.watchSeq).toBe(1)
    s = reduce(s, { type: 'snapshot', snapshot: snap(1) })
    expect(s.snapshot).toBeNull()
    s = reduce(s, { type: 'watch', watch: { window: { preset: 'run' } } })
    s = reduce(s, { type: 'watchReply', seq: 1, snapshot: snap(2) })
    expect(s.snapshot).toBeNull()
    s = reduce(s, { type: 'watchReply', seq: 2, snapshot: snap(3) })
    expect(s.snapshot).toEqual(snap(3))
    s = reduce(s, { type: 'snapshot', snapshot: snap(4) })
    expect(s.snapshot).toEqual(snap(4))
  })

  it('keeps the last snapshot on a watch error, and clears the error with the next snapshot', () => {
    let s = reduce(watched(), { type: 'watchReply', seq: 1, snapshot: snap(1) })
    s = reduce(s, { type: 'watch', watch: { window: { preset: '5m' }, symbol: 'AAPL' } })
    s = reduce(s, { type: 'watchError', seq: 2, message: 'database is down' })
    expect(s.watchError).toBe('database is down')
    expect(s.snapshot).toEqual(snap(1))
    s = reduce(s, { type: 'snapshot', snapshot: snap(2) })
    expect(s.watchError).toBeNull()
  })

  it('patches the config with command replies', () => {
    let s = reduce(initialDashboard, { type: 'symbols', symbols: ['X'] })
    expect(s.config).toBeNull()
    s = reduce(s, { type: 'config', config })
    s = reduce(s, { type: 'symbols', symbols: ['AAPL', 'MSFT'] })
    s = reduce(s, { type: 'thresholds', thresholds: { ...DEFAULT_THRESHOLDS, data_loss_window_s: 60 } })
    expect(s.config?.symbols).toEqual(['AAPL', 'MSFT'])
    expect(s.config?.thresholds.data_loss_window_s).toBe(60)
  })

  it('toasts new alerts only, not the initial list or clears', () => {
    let s = reduce(initialDashboard, { type: 'alerts', alerts: [alert] })
    s = reduce(s, { type: 'alert', alert, now: 10 })
    expect(s.toasts).toHaveLength(0)
    s = reduce(s, { type: 'alert', alert: { ...alert, at: 50 }, now: 60 })
    expect(s.toasts).toHaveLength(1)
    s = reduce(s, { type: 'alert', alert: { ...alert, at: 50, clearedAt: 70 }, now: 70 })
    expect(s.toasts).toHaveLength(1)
    expect(s.alerts).toHaveLength(2)
    s = reduce(s, { type: 'expireToasts', now: 60 + 6000 })
    expect(s.toasts).toHaveLength(0)
  })
})

describe('createStore', () => {
  it('notifies on change only', () => {
    const store = createStore(reduce, initialDashboard)
    let calls = 0
    const off = store.subscribe(() => calls++)
    store.dispatch({ type: 'connection', state: 'connecting' })
    store.dispatch({ type: 'connection', state: 'open' })
    off()
    store.dispatch({ type: 'connection', state: 'reconnecting' })
    expect(calls).toBe(1)
    expect(store.getState().connection).toBe('reconnecting')
  })
})
