import type { Alert, AlertLevel } from '../../shared/status'

/**
 * Which alert events a terminal prints. The book pushes an alert again whenever its message changes
 * ("no trades for 31 s", "32 s", …): right for a dashboard, which redraws one row, but a log line a
 * second in a terminal. A line is printed when an alert rises, changes level or clears.
 */
export class AlertEcho {
  private readonly shown = new Map<string, AlertLevel>()

  /** The line to print for this event, or null when the terminal has already said it. */
  line(a: Alert): string | null {
    if (a.clearedAt !== null) {
      if (!this.shown.delete(a.id)) return null
      return `cleared: ${a.message}`
    }
    if (this.shown.get(a.id) === a.level) return null
    this.shown.set(a.id, a.level)
    return `${a.level}: ${a.message}`
  }
}
