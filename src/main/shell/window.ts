import { BrowserWindow } from 'electron'
import { secureWebPreferences } from './security'
import type { AppLocation } from './trusted-url'
import { MIN_WINDOW_SIZE, type WindowState } from './window-state'

export interface MainWindowOptions {
  /** the bundled preload (out/preload/index.cjs) */
  preload: string
  /** what the window loads, and the only place it may be */
  app: AppLocation
  /** where it was last time, already checked against today's displays */
  state: WindowState
  /** stays hidden until shown (Open at login starts in the tray) */
  hidden?: boolean
}

/** The one window: locked down by security.ts, shown once painted, where the user left it. */
export function createMainWindow(opts: MainWindowOptions): BrowserWindow {
  const { maximized, ...bounds } = opts.state
  const win = new BrowserWindow({
    ...bounds,
    minWidth: MIN_WINDOW_SIZE.width,
    minHeight: MIN_WINDOW_SIZE.height,
    title: 'Tickflow',
    show: false,
    webPreferences: secureWebPreferences(opts.preload),
  })
  // maximize() would show a hidden window: a hidden start maximises at its first show.
  if (opts.hidden) win.once('show', () => maximized && win.maximize())
  else
    win.once('ready-to-show', () => {
      if (maximized) win.maximize()
      win.show()
    })
  win
    .loadURL(opts.app.url)
    .catch((err: Error) => console.error(`tickflow: the window could not load: ${err.message}`))
  return win
}

/** What to save of a window: its normal bounds, so a maximised window comes back maximised over them. */
export function windowStateOf(win: BrowserWindow): WindowState {
  return { ...win.getNormalBounds(), maximized: win.isMaximized() }
}

/**
 * Saves the window's state when it closes, and returns `flush`, which quitting awaits: it saves now
 * if the window is still open (the menu's Quit drains before any window closes) and waits for a save
 * under way, so the process never ends mid-write. After a flush, closing saves nothing more.
 */
export function persistWindowState(
  win: BrowserWindow,
  save: (state: WindowState) => Promise<void>,
): () => Promise<void> {
  let last: Promise<void> = Promise.resolve()
  let flushed = false
  const saveNow = (): Promise<void> => {
    if (flushed || win.isDestroyed()) return last
    last = save(windowStateOf(win)).catch((err: Error) =>
      console.error(`tickflow: the window's size and place were not saved: ${err.message}`),
    )
    return last
  }
  win.on('close', () => void saveNow())
  return async () => {
    const final = saveNow()
    flushed = true
    await final
  }
}
