import type { Alert } from '@shared/status'
import { formatTime } from '../format/format'
import { useDashboard } from '../hooks/use-dashboard'
import { useLocale } from '../hooks/use-locale'
import { alertKey, isActive } from '../state/alerts'

/** Every alert, newest first; cleared ones greyed with the time they cleared. */
export function AlertList({ alerts }: { alerts: readonly Alert[] }): React.JSX.Element {
  const timeZone = useDashboard((s) => s.timeZone)
  const locale = useLocale()
  const zone = { timeZone, locale }
  return (
    <div className="popover alerts-popover" tabIndex={-1}>
      {alerts.length === 0 && <p className="muted">No alerts.</p>}
      <ul className="alert-list" data-testid="alerts-list">
        {alerts.map((a) => (
          <li
            key={alertKey(a)}
            className={`alert-item level-${a.level}${isActive(a) ? '' : ' is-cleared'}`}
            data-testid="alert-item"
            data-rule={a.rule}
            data-active={String(isActive(a))}
          >
            <time className="alert-time" dateTime={new Date(a.at).toISOString()}>
              {formatTime(a.at, zone, true)}
            </time>
            <span className="alert-message">{a.message}</span>
            {a.clearedAt !== null && (
              <span className="alert-cleared">cleared {formatTime(a.clearedAt, zone, true)}</span>
            )}
          </li>
        ))}
      </ul>
    </div>
  )
}
