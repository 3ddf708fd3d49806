import { isActive, type Alert } from '@shared/status'

export { isActive }

/** Alerts the list keeps; older ones fall off so memory stays bounded. */
export const MAX_ALERTS = 200
/** How long a toast stays, and how many show at once. */
export const TOAST_MS = 6000
export const MAX_TOASTS = 3

export interface Toast {
  key: string
  alert: Alert
  /** ms epoch it appeared */
  shownAt: number
}

/** One raise of a condition: the id stays while it holds, so a later raise has a new `at`. */
export function alertKey(a: Alert): string {
  return `${a.id}@${a.at}`
}

export function activeCount(list: readonly Alert[]): number {
  return list.filter(isActive).length
}

/** Upserts alerts (a clear replaces its raise), newest first, at most MAX_ALERTS. */
export function mergeAlerts(list: readonly Alert[], incoming: readonly Alert[]): Alert[] {
  const byKey = new Map(list.map((a) => [alertKey(a), a]))
  for (const a of incoming) byKey.set(alertKey(a), a)
  return [...byKey.values()].sort((a, b) => b.at - a.at).slice(0, MAX_ALERTS)
}

/** A toast for an alert that is raised and not known yet; null otherwise. */
export function toastFor(known: readonly Alert[], alert: Alert, now: number): Toast | null {
  if (alert.clearedAt !== null) return null
  const key = alertKey(alert)
  if (known.some((a) => alertKey(a) === key)) return null
  return { key, alert, shownAt: now }
}

/** Adds a toast, keeping the newest MAX_TOASTS. */
export function pushToast(toasts: readonly Toast[], toast: Toast): Toast[] {
  return [...toasts, toast].slice(-MAX_TOASTS)
}

/** Drops the toasts older than TOAST_MS; returns the same array when nothing expired. */
export function expireToasts(toasts: readonly Toast[], now: number): readonly Toast[] {
  const kept = toasts.filter((t) => now - t.shownAt < TOAST_MS)
  return kept.length === toasts.length ? toasts : kept
}
