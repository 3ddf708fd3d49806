import { useState } from 'react'
import type { Alert } from '@shared/status'
import { formatTime } from '../format/format'
import { canNotify } from '../hooks/use-browser-notifications'
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
      {canNotify() && <NotificationPermission />}
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

/**
 * Browser mode: the page may show desktop notifications once the user allows them, and a browser
 * asks only on a click, so the ask is here.
 */
function NotificationPermission(): React.JSX.Element {
  const [permission, setPermission] = useState(Notification.permission)
  if (permission === 'granted')
    return (
      <p className="muted alerts-notify" data-testid="alerts-notify-state">
        Desktop notifications are on (per rule under Behaviour).
      </p>
    )
  if (permission === 'denied')
    return (
      <p className="muted alerts-notify" data-testid="alerts-notify-state">
        Desktop notifications are blocked in this browser's site settings.
      </p>
    )
  return (
    <button
      type="button"
      className="alerts-notify"
      data-testid="alerts-notify"
      onClick={() => void Notification.requestPermission().then(setPermission)}
    >
      Turn on desktop notifications
    </button>
  )
}
