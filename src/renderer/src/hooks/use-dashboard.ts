import { useSyncExternalStore } from 'react'
import { appStore } from '../state/app-store'
import type { DashboardAction, DashboardState } from '../state/dashboard'

/**
 * A slice of the dashboard's state. The selector must return a part of the state as it is
 * (or a primitive), never a new object, or React re-renders forever.
 */
export function useDashboard<T>(select: (s: DashboardState) => T): T {
  return useSyncExternalStore(appStore.subscribe, () => select(appStore.getState()))
}

export function dispatch(action: DashboardAction): void {
  appStore.dispatch(action)
}
