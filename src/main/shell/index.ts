import {
  app,
  dialog,
  Menu,
  nativeImage,
  Notification,
  protocol,
  screen,
  Tray,
  type BrowserWindow,
} from 'electron'
import { join } from 'node:path'
import { ZodError } from 'zod'
import { EventHub } from '../api/events'
import { behaviourOf } from '../api/behaviour'
import { createCore, type Core } from '../api/handlers'
import { describeSettingsError, resolveSettings } from '../config'
import { appLog, openLog, type LogHandle } from '../log/logger'
import { maskSecrets, secretsOf } from '../log/redact'
import { startServices } from '../services'
import { openSettingsStore } from '../settings/store'
import type { EventPayloads } from '../../shared/contract'
import { autostartFile, fileAutostart, HIDDEN_ARG, launchCommand } from './autostart'
import { registerAppScheme, serveAppScheme } from './app-protocol'
import { copyPngToClipboard, pngSaver } from './chart-image'
import { closeToTray } from './close-to-tray'
import { saveDialogChooser } from './export-dialog'
import { openDialogChooser } from './replay-dialog'
import { pushEvent, registerIpc, WINDOW_CLIENT } from './ipc'
import { claimSingleInstance, drainOnQuit, focusWindow } from './lifecycle'
import { alertNotifier } from './notifications'
import { shellPaths } from './paths'
import { installSecurity, sandboxAllRenderers } from './security'
import { safeStorageCipher } from './secret-cipher'
import { createTray, type TrayController } from './tray'
import { hasTrayHost } from './tray-host'
import { TRAY_ICONS } from './tray-icons'
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
let tray: TrayController | null = null
// Set by the first before-quit: from then on closing the window lets it go.
let quitting = false

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
  const services = await startServices(settings, { onProgress: (m) => console.error(maskSecrets(`… ${m}`)) })
  let core: Core | null = null
  try {
    const autostart = fileAutostart(
      autostartFile(process.env, app.getPath('home')),
      launchCommand({
        execPath: process.execPath,
        packaged: app.isPackaged,
        appPath: app.getAppPath(),
        appImage: process.env.APPIMAGE,
      }),
    )
    core = createCore(services, new EventHub(), {
      chooseExportPath: saveDialogChooser(() => win),
      chooseReplayFile: openDialogChooser(dialog, () => win),
      chartImages: { save: pngSaver(saveDialogChooser(() => win, 'png')), copy: copyPngToClipboard },
      store,
      autostart,
    })
    const live = core
    registerIpc(core, () => win, trusted)
    core.connect(WINDOW_CLIENT, { push: (event, payload) => pushEvent(win, event, payload) })
    // Asked of the session bus (up to its timeout, seconds when it hangs): the window does not wait
    // for the answer unless it is to start hidden in the tray.
    const trayProbe = hasTrayHost()
    let hasTray = false
    void trayProbe.then((found) => {
      hasTray = found
      if (found) tray = createAppTray(live)
    })
    const behaviour = (): ReturnType<typeof behaviourOf> => behaviourOf(store.stored(), null)
    const notify = alertNotifier({
      Notification,
      off: () => behaviour().notificationsOff,
      onClick: () => openAlerts(),
    })
    core.connect('shell', {
      push(event, payload) {
        if (event === 'status') tray?.status((payload as EventPayloads['status']).state)
        if (event !== 'alert') return
        tray?.alert(payload as EventPayloads['alert'])
        notify(payload as EventPayloads['alert'])
      },
    })
    const workAreas = screen.getAllDisplays().map((d) => d.workArea)
    win = createMainWindow({
      preload: PRELOAD,
      app: trusted,
      state: await readWindowState(paths.windowState, workAreas),
      // Open at login starts in the tray; with no tray to come back from, the window shows.
      hidden: process.argv.includes(HIDDEN_ARG) && (await trayProbe),
    })
    flushWindowState = persistWindowState(win, (state) => writeWindowState(paths.windowState, state))
    closeToTray(win, {
      facts: () => ({
        quitting,
        // a start that waits for the broker counts: closing then must not quit it unasked
        running: live.running(),
        closeToTray: behaviour().closeToTray,
        hasTray,
      }),
      noticeShown: () => store.stored().trayNoticeShown === true,
      showNotice() {
        if (Notification.isSupported())
          new Notification({
            title: 'Tickflow keeps collecting',
            body: 'It runs on in the tray: Quit is in its menu. "Keep collecting in the tray when the window closes" turns this off.',
          }).show()
        store
          .update({ trayNoticeShown: true })
          .catch((err: Error) => console.error(`tickflow: ${err.message}`))
      },
      ask: async () => {
        const { response } = await dialog.showMessageBox(win!, {
          type: 'question',
          message: 'The pipeline is running. Stop collecting, or keep collecting with the window minimised?',
          detail: 'There is no tray on this desktop to keep Tickflow in.',
          buttons: ['Stop collecting and quit', 'Keep collecting'],
          defaultId: 1,
          cancelId: 1,
        })
        return response === 0 ? 'stop' : 'keep'
      },
      stopAndQuit: () =>
        void live
          .stopPipeline(undefined)
          .catch(() => undefined) // quitting drains what is left anyway
          .finally(() => app.quit()),
    })
    win.on('closed', () => (win = null))
    // The run that was going at the last quit or crash, when "Start collecting when Tickflow opens" is on.
    void core.startOnOpen({ always: false })
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

/** The tray icon and its menu, bound to the window, the core and quitting. */
function createAppTray(core: Core): TrayController {
  const failed = (err: Error): void => dialog.showErrorBox('Tickflow', err.message)
  return createTray(
    {
      createTray: (image) => new Tray(image),
      buildMenu: (template) => Menu.buildFromTemplate(template),
      image: (state) => nativeImage.createFromDataURL(TRAY_ICONS[state]),
    },
    {
      open: () => focusWindow(win),
      start: () => void core.startPipeline(undefined).catch(failed),
      stop: () => void core.stopPipeline(undefined).catch(failed),
      quit: () => app.quit(),
    },
  )
}

/** A notification's click: the window, in front, at the alerts list. */
function openAlerts(): void {
  focusWindow(win)
  pushEvent(win, 'openAlerts', null)
}

sandboxAllRenderers()
registerAppScheme(protocol)
app.on('before-quit', () => (quitting = true))
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
      tray?.destroy()
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
