import { useDashboard } from '../hooks/use-dashboard'

/** Shown only while the link to the core is down; the dashboard stays, dimmed as stale. */
export function ConnectionBanner(): React.JSX.Element | null {
  const connection = useDashboard((s) => s.connection)
  const loadError = useDashboard((s) => s.loadError)
  if (connection === 'reconnecting')
    return (
      <div className="banner banner-warn" role="status" data-testid="connection-banner">
        Reconnecting… The charts show the last data received.
      </div>
    )
  if (loadError)
    return (
      <div className="banner banner-error" role="alert" data-testid="load-error">
        Could not load the dashboard's state: {loadError}
      </div>
    )
  return null
}
