import type { Notification, NotificationConstructorOptions } from 'electron'
import { NotificationGate, notificationText } from '../../shared/notify'
import type { Alert, AlertRule } from '../../shared/status'

/** Electron's Notification class, or a stand-in with its shape (tests). */
export interface NotificationClass {
  new (options: NotificationConstructorOptions): Pick<Notification, 'on' | 'show'>
  isSupported(): boolean
}

export interface AlertNotifierOptions {
  Notification: NotificationClass
  /** the rules the user turned off (the behaviour settings), read at each alert */
  off(): readonly AlertRule[]
  /** a click: open the window at the alerts list */
  onClick(alert: Alert): void
  now?: () => number
}

/**
 * Turns the core's alert events into native notifications: an alert when it rises, at most one per
 * rule per minute (shared/notify.ts), none for a rule turned off. Returns the alert listener.
 */
export function alertNotifier(opts: AlertNotifierOptions): (alert: Alert) => void {
  const gate = new NotificationGate()
  const now = opts.now ?? Date.now
  // A notification that nothing references can be collected before it is clicked, and its click
  // then goes nowhere: each is kept until it is clicked or closed.
  const shown = new Set<unknown>()
  return (alert) => {
    if (!gate.admit(alert, now(), opts.off())) return
    if (!opts.Notification.isSupported()) return
    const n = new opts.Notification({ ...notificationText(alert), silent: alert.level !== 'error' })
    shown.add(n)
    n.on('click', () => {
      shown.delete(n)
      opts.onClick(alert)
    })
    n.on('close', () => shown.delete(n))
    n.show()
  }
}
