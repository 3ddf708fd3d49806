import type { Alert, AlertLevel, AlertRule } from '../../shared/status'
import { Emitter } from '../base/emitter'
import { logListenerError } from '../log/logger'
import type { AlertCondition } from './rules'

/** How many cleared alerts and notices list() keeps after the active ones. */
export const ALERT_HISTORY_LIMIT = 200

/** "rule" or "rule:subject": one id for as long as the condition holds. */
export function alertId(rule: AlertRule, subject?: string): string {
  return subject === undefined ? rule : `${rule}:${subject}`
}

/**
 * The alerts that hold now, and the recent ones that cleared. Conditions come in as a full set per
 * evaluation (apply); the book works out what rose, changed and cleared, and tells listeners only
 * about those, so an alert that keeps holding is not pushed again every tick.
 */
export class AlertBook {
  private readonly active = new Map<string, Alert>()
  /** oldest first; bounded */
  private history: Alert[] = []
  // a broken listener (a closed socket) must not stop the others or the book
  private readonly listeners = new Emitter<Alert>(logListenerError('alerts', 'alert'))
  private seq = 0

  constructor(private readonly historyLimit = ALERT_HISTORY_LIMIT) {}

  /**
   * Sets the conditions of `rules` to exactly `conditions`: raises the new ones, updates those whose
   * level or message changed, and clears active alerts of those rules that are absent. Conditions of
   * other rules are ignored, so callers may evaluate rules at different cadences. Returns what changed.
   */
  apply(conditions: readonly AlertCondition[], rules: readonly AlertRule[], now: number): Alert[] {
    const ruleSet = new Set<AlertRule>(rules)
    const changed: Alert[] = []
    const present = new Set<string>()
    for (const c of conditions) {
      if (!ruleSet.has(c.rule) || c.rule === 'notice') continue
      const id = alertId(c.rule, c.subject)
      if (present.has(id)) continue // the first condition for an id wins
      present.add(id)
      const current = this.active.get(id)
      if (current && current.message === c.message && current.level === c.level) continue
      // A changed alert keeps its id and the time it was raised.
      const alert: Alert = current
        ? { ...current, level: c.level, message: c.message }
        : { id, rule: c.rule, level: c.level, message: c.message, at: now, clearedAt: null }
      this.active.set(id, alert)
      changed.push(alert)
    }
    for (const [id, alert] of this.active) {
      if (!ruleSet.has(alert.rule) || present.has(id)) continue
      const cleared: Alert = { ...alert, clearedAt: now }
      this.active.delete(id)
      this.remember(cleared)
      changed.push(cleared)
    }
    for (const a of changed) this.emit(a)
    return changed
  }

  /** A one-shot alert (a failure in words): raised once, never cleared, kept in the history. */
  notice(level: AlertLevel, message: string, now: number): Alert {
    this.seq += 1
    const alert: Alert = {
      id: `notice:${now.toString(36)}-${this.seq}`,
      rule: 'notice',
      level,
      message,
      at: now,
      clearedAt: null,
    }
    this.remember(alert)
    this.emit(alert)
    return alert
  }

  /** Active alerts (newest first), then the history (newest first). */
  list(): Alert[] {
    const active = [...this.active.values()].sort((a, b) => b.at - a.at)
    return [...active, ...[...this.history].reverse()]
  }

  /** Called for each raise, update, clear and notice. Returns the unsubscribe function. */
  onChange(listener: (a: Alert) => void): () => void {
    return this.listeners.on(listener)
  }

  private remember(alert: Alert): void {
    this.history.push(alert)
    if (this.history.length > this.historyLimit) this.history = this.history.slice(-this.historyLimit)
  }

  private emit(alert: Alert): void {
    this.listeners.fire(alert)
  }
}
