import { useEffect } from 'react'
import { api, connectionState, onConnectionChange } from '../api'
import { appStore } from '../state/app-store'
import { TOAST_MS } from '../state/alerts'
import { reload, requestWatch } from './actions'
import { useDashboard } from './use-dashboard'

/**
 * Feeds the store from the api: the first load and watch, the pushed events, and the transport's
 * state. A reconnect reloads status, settings and alerts (the transport re-sends the watch itself).
 */
export function useApiSync(): void {
  useEffect(() => {
    const d = appStore.dispatch
    const offs = [
      api.on('status', (status) => d({ type: 'status', status })),
      api.on('config', (config) => d({ type: 'config', config })),
      api.on('snapshot', (snapshot) => d({ type: 'snapshot', snapshot })),
      api.on('alert', (alert) => d({ type: 'alert', alert, now: Date.now() })),
      // the app's main process: a desktop notification was clicked
      api.on('openAlerts', () => d({ type: 'alertsOpen', open: true })),
      onConnectionChange((state) => {
        const was = appStore.getState().connection
        d({ type: 'connection', state })
        if (state === 'open' && was === 'reconnecting') reload()
      }),
    ]
    d({ type: 'connection', state: connectionState() })
    reload()
    requestWatch(appStore.getState().watch)
    return () => {
      for (const off of offs) off()
    }
  }, [])
}

/** Expires toasts after TOAST_MS while any are shown. */
export function useToastExpiry(): void {
  const count = useDashboard((s) => s.toasts.length)
  useEffect(() => {
    if (count === 0) return
    const timer = window.setInterval(
      () => appStore.dispatch({ type: 'expireToasts', now: Date.now() }),
      Math.min(1000, TOAST_MS),
    )
    return () => window.clearInterval(timer)
  }, [count])
}
