import { app, dialog, protocol, screen, type BrowserWindow } from 'electron'
import { join } from 'node:path'
import { ZodError } from 'zod'
import { EventHub } from '../api/events'
import { createCore, type Core } from '../api/handlers'
import { describeSettingsError, resolveSettings } from '../config'
import { appLog, openLog, type LogHandle } from '../log/logger'
import { maskSecrets, secretsOf } from '../log/redact'
import { createServices } from '../services'
import { openSettingsStore } from '../settings/store'
import { registerAppScheme, serveAppScheme } from './app-protocol'
import { copyPngToClipboard, pngSaver } from './chart-image'
import { saveDialogChooser } from './export-dialog'
import { openDialogChooser } from './replay-dialog'
import { pushEvent, registerIpc, WINDOW_CLIENT } from './ipc'
import { claimSingleInstance, drainOnQuit, focusWindow } from './lifecycle'
import { shellPaths } from './paths'
import { installSecurity, sandboxAllRenderers } from './security'
import { safeStorageCipher } from './secret-cipher'
import { appLocation } from './trusted-url'
import { createMainWindow, persistWindowState } from './window'
import { readWindowState, writeWindowState } from './window-state'

// The desktop face: a thin shell around the same core the CLI and browser mode build. This file
// is bundled into out/main/index.js, so these paths are relative to out/main.
const PRELOAD = join(import.meta.dirname, '../preload/index.cjs')
const RENDERER_DIR = join(import.meta.dirname, '../renderer')

let win: BrowserWindow | null = null
let flushWindowState: () => Promise<void> = async () => undefined
let log: LogHandle | null = null

async function boot(): Promise<Core> {
  const paths = shellPaths(app.getPath('userData'))
  process.env.TICKFLOW_CACHE_DIR = paths.cacheDir // read by the broker's jar cache (base/data-dirs.ts)
  const trusted = appLocation({ devUrl: process.env.ELECTRON_RENDERER_URL, packaged: app.isPackaged })
  installSecurity(trusted)
  serveAppScheme(protocol, RENDERER_DIR)

  const { cipher, warning } = safeStorageCipher()
  const store = await openSettingsStore(paths.dataDir, { cipher })
  const warnings = [...(warning ? [warning] : []), ...store.warnings]
  for (const w of warnings) console.error(`warning: ${w}`)
  const settings = resolveSettings({ dataDir: paths.dataDir }, process.env, store.settings())
  log = await openLog({
    dir: join(paths.dataDir, 'logs'),
    name: 'app',
    level: settings.logLevel,
    secrets: secretsOf(settings),
  }).catch((err: Error) => {
    console.error(`warning: no log file: ${err.message}`)
    return null
  })
  const services = await createServices(settings, { onProgress: (m) => console.error(maskSecrets(`… ${m}`)) })
  let core: Core | null = null
  try {
    core = createCore(services, new EventHub(), {
      chooseExportPath: saveDialogChooser(() => win),
      chooseReplayFile: openDialogChooser(dialog, () => win),
      chartImages: { save: pngSaver(saveDialogChooser(() => win, 'png')), copy: copyPngToClipboard },
      store,
    })
    registerIpc(core, () => win, trusted)
    core.connect(WINDOW_CLIENT, { push: (event, payload) => pushEvent(win, event, payload) })
    const workAreas = screen.getAllDisplays().map((d) => d.workArea)
    win = createMainWindow({
      preload: PRELOAD,
      app: trusted,
      state: await readWindowState(paths.windowState, workAreas),
    })
    flushWindowState = persistWindowState(win, (state) => writeWindowState(paths.windowState, state))
    win.on('closed', () => (win = null))
    return core
  } catch (err) {
    // The broker and database are up by now: stop them rather than leave them behind.
    // The boot's error is what the user sees; a failed stop on top of it goes to the log.
    await (core ? core.shutdown() : services.close()).catch((stopErr: unknown) =>
      appLog('shell').debug(
        { err: stopErr, bootError: (err as Error).message },
        'stopping after a failed boot failed',
      ),
    )
    throw err
  }
}

sandboxAllRenderers()
registerAppScheme(protocol)
if (!claimSingleInstance(() => focusWindow(win))) {
  app.exit(0) // the first instance has been told, and shows its window
} else {
  const core: Promise<Core | null> = app
    .whenReady()
    .then(boot)
    .catch((err: Error) => {
      // A bad setting (TICKFLOW_LOG_LEVEL, say) reads as one line per setting, not zod's JSON.
      const message = err instanceof ZodError ? describeSettingsError(err) : err.message
      dialog.showErrorBox('Tickflow could not start', message)
      app.exit(1)
      return null
    })
  drainOnQuit({
    // Quitting while the services still start waits for them, then stops them: none is left behind.
    work: async () => {
      const running = await core
      await flushWindowState()
      await running?.shutdown()
      // A log that fails to close is no fault of the services (close() reports it on stderr).
      await log?.close().catch(() => undefined)
    },
    report: (message) => {
      console.error(`tickflow: ${message}`)
      dialog.showErrorBox('Tickflow did not stop cleanly', message)
    },
  })
}
