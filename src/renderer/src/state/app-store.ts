import { dashboardReducer, initialDashboard, type DashboardAction, type DashboardState } from './dashboard'
import { prefsOf, readPrefs, withPrefs, writePrefs } from './prefs'
import { createStore, type Store } from './store'

const storage = (): Storage | undefined => (typeof localStorage === 'undefined' ? undefined : localStorage)

/** The dashboard's one store, fed by the api (hooks/use-api-sync.ts). View choices survive a refresh. */
export const appStore: Store<DashboardState, DashboardAction> = createStore(
  dashboardReducer,
  withPrefs(initialDashboard, readPrefs(storage)),
)

let saved = JSON.stringify(prefsOf(appStore.getState()))
appStore.subscribe(() => {
  const s = appStore.getState()
  const now = JSON.stringify(prefsOf(s))
  if (now === saved) return
  saved = now
  writePrefs(storage, s)
})
