import { dispatch, useDashboard } from '../hooks/use-dashboard'
import { useToastExpiry } from '../hooks/use-api-sync'

/** New alerts for a few seconds, at most three at once; the bell's list keeps them all. */
export function Toasts(): React.JSX.Element {
  const toasts = useDashboard((s) => s.toasts)
  useToastExpiry()
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.key} className={`toast level-${t.alert.level}`} data-testid="toast" role="status">
          <span>{t.alert.message}</span>
          <button
            type="button"
            className="icon-button"
            aria-label="Dismiss"
            onClick={() => dispatch({ type: 'dismissToast', key: t.key })}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  )
}
