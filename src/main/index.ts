import { app, BrowserWindow, dialog } from 'electron'
import { join } from 'node:path'
import { createCore, type Core } from './api/handlers'
import { EventHub } from './api/events'
import { resolveSettings } from './config'
import { pushEvent, registerIpc, WINDOW_CLIENT } from './ipc'
import { createServices } from './services'
import { loadSettingsFile } from './settings-file'
import { createMainWindow, hardenSessions } from './window'

// The thin Electron shell: everything it starts is the same core the CLI and browser mode use.
let core: Core | null = null
let win: BrowserWindow | null = null

async function boot(): Promise<void> {
  hardenSessions()
  const dataDir = join(app.getPath('userData'), 'data')
  const settings = resolveSettings({ dataDir }, process.env, (await loadSettingsFile(dataDir)).settings)
  const events = new EventHub()
  const services = await createServices(settings)
  core = createCore(services, events)
  registerIpc(core, () => win)
  core.connect(WINDOW_CLIENT, { push: (event, payload) => pushEvent(win, event, payload) })
  win = createMainWindow()
  win.on('closed', () => (win = null))
}

app.whenReady().then(boot, (err: Error) => {
  dialog.showErrorBox('Tickflow could not start', err.message)
  app.exit(1)
})

app.on('window-all-closed', () => app.quit())

let quitting = false
app.on('before-quit', (event) => {
  if (quitting || !core) return
  // Drain the pipeline and stop the broker and database before the process goes.
  event.preventDefault()
  quitting = true
  void core.shutdown().finally(() => app.quit())
})
