import { useEffect } from 'react'
import { NotificationGate, notificationText } from '@shared/notify'
import { api, browserMode } from '../api'
import { appStore } from '../state/app-store'

/** The page can show desktop notifications: a browser with the Notification API, in browser mode. */
export function canNotify(): boolean {
  // In the app, main shows native notifications (shell/notifications.ts): the page must not add its own.
  return browserMode && typeof window !== 'undefined' && 'Notification' in window
}

/**
 * Browser mode's desktop notifications: an alert when it rises, at most one per rule per minute,
 * none for a rule turned off (the same gate as the app's), once the user has allowed them (the
 * alerts list asks). A click brings the tab forward at the alerts list.
 */
export function useBrowserNotifications(): void {
  useEffect(() => {
    if (!canNotify()) return
    const gate = new NotificationGate()
    return api.on('alert', (alert) => {
      const off = appStore.getState().config?.behaviour.notificationsOff ?? []
      if (!gate.admit(alert, Date.now(), off) || Notification.permission !== 'granted') return
      const { title, body } = notificationText(alert)
      const n = new Notification(title, { body, tag: alert.id })
      n.onclick = () => {
        window.focus()
        appStore.dispatch({ type: 'alertsOpen', open: true })
        n.close()
      }
    })
  }, [])
}
