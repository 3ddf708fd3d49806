import { ConnectionBanner } from './components/ConnectionBanner'
import { PanelGrid } from './components/PanelGrid'
import { SidePanel } from './components/SidePanel'
import { StatusBar } from './components/StatusBar'
import { Toasts } from './components/Toasts'
import { TopBar } from './components/TopBar'
import { useApiSync } from './hooks/use-api-sync'
import { useBrowserNotifications } from './hooks/use-browser-notifications'

/** The dashboard: one window, no navigation. State lives in the store; the api feeds it. */
export function App(): React.JSX.Element {
  useApiSync()
  useBrowserNotifications()
  return (
    <div className="app">
      <ConnectionBanner />
      <TopBar />
      <div className="app-body">
        <SidePanel />
        <main className="main-area">
          <PanelGrid />
        </main>
      </div>
      <StatusBar />
      <Toasts />
    </div>
  )
}
