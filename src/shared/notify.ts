import { ALERT_RULE_LABELS, type Alert, type AlertRule } from './status'

/** A rule raises at most one desktop notification per this long: a flapping condition stays quiet. */
export const NOTIFY_EVERY_MS = 60_000

/** How many raises the gate remembers, so that a raise's later updates never notify again. */
const REMEMBERED = 500

/**
 * Decides which alerts become desktop notifications, the same way in the app's main process
 * (Electron's Notification) and in browser mode's page (the browser's): an alert when it rises,
 * not its updates nor its clearing, at most one per rule per NOTIFY_EVERY_MS, none for a rule the
 * user turned off.
 */
export class NotificationGate {
  private readonly lastByRule = new Map<AlertRule, number>()
  private readonly seen = new Set<string>()

  /** true when `alert` should show as a notification now */
  admit(alert: Alert, now: number, off: readonly AlertRule[]): boolean {
    if (alert.clearedAt !== null) return false
    // One raise of a condition keeps its id and `at`; a later raise has a new `at`.
    const raise = `${alert.id}@${alert.at}`
    if (this.seen.has(raise)) return false
    this.seen.add(raise)
    if (this.seen.size > REMEMBERED) this.seen.delete(this.seen.values().next().value as string)
    if (off.includes(alert.rule)) return false
    const last = this.lastByRule.get(alert.rule)
    if (last !== undefined && now - last < NOTIFY_EVERY_MS) return false
    this.lastByRule.set(alert.rule, now)
    return true
  }
}

/** A notification's words: the rule as the title, the alert's sentence as the body. */
export function notificationText(alert: Alert): { title: string; body: string } {
  return { title: `Tickflow: ${ALERT_RULE_LABELS[alert.rule]}`, body: alert.message }
}
