import { useRef } from 'react'
import { dispatch, useDashboard } from '../hooks/use-dashboard'
import { useKeydown } from '../hooks/use-keydown'
import { activeCount } from '../state/alerts'
import { AlertList } from './AlertList'

/** The bell: how many alerts hold now, and the list of all of them on click. */
export function AlertsBell(): React.JSX.Element {
  const alerts = useDashboard((s) => s.alerts)
  // In the store: a clicked desktop notification opens it too.
  const open = useDashboard((s) => s.alertsOpen)
  const setOpen = (next: boolean): void => dispatch({ type: 'alertsOpen', open: next })
  const root = useRef<HTMLDivElement>(null)
  const active = activeCount(alerts)

  useKeydown((e) => {
    if (e.key === 'Escape' && open) setOpen(false)
  })

  return (
    <div
      className="alerts"
      ref={root}
      onBlur={(e) => {
        if (!root.current?.contains(e.relatedTarget as Node | null)) setOpen(false)
      }}
    >
      <button
        type="button"
        className={active > 0 ? 'bell bell-active' : 'bell'}
        data-testid="alerts-button"
        aria-expanded={open}
        aria-haspopup="true"
        aria-label={`Alerts: ${active} active`}
        title="Alerts"
        onClick={() => setOpen(!open)}
      >
        <svg className="bell-icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
          <path
            d="M8 1.5a4.5 4.5 0 0 0-4.5 4.5v2.8L2 11v1h12v-1l-1.5-2.2V6A4.5 4.5 0 0 0 8 1.5zM6.2 13a1.8 1.8 0 0 0 3.6 0z"
            fill="currentColor"
          />
        </svg>
        <span className="bell-count" data-testid="alerts-count">
          {active}
        </span>
      </button>
      {open && <AlertList alerts={alerts} />}
    </div>
  )
}
