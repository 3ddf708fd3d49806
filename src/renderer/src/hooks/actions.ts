import type { WatchRequest } from '@shared/windows'
import { api } from '../api'
import { appStore } from '../state/app-store'
import { errorMessage } from '../state/errors'

/** Watches a new window or volume-trend symbol; its reply is the first snapshot of it. */
export function requestWatch(watch: WatchRequest): void {
  appStore.dispatch({ type: 'watch', watch })
  const seq = appStore.getState().watchSeq
  api.watch(watch).then(
    (snapshot) => appStore.dispatch({ type: 'watchReply', seq, snapshot }),
    (e: unknown) => appStore.dispatch({ type: 'watchError', seq, message: errorMessage(e) }),
  )
}

/** Loads what events only update: status, settings and alerts (at start and after a reconnect). */
export function reload(): void {
  const d = appStore.dispatch
  const fail = (e: unknown): void => d({ type: 'loadError', message: errorMessage(e) })
  api.getStatus().then((status) => d({ type: 'status', status }), fail)
  api.getConfig().then((config) => d({ type: 'config', config }), fail)
  api.getAlerts().then((alerts) => d({ type: 'alerts', alerts }), fail)
}
