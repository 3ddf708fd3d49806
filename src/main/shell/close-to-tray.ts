import type { BrowserWindow } from 'electron'

/** What closing the window does. */
export type CloseAction = 'close' | 'hide' | 'ask'

export interface CloseFacts {
  /** the app is quitting (the tray's Quit, a signal, the menu): the window goes */
  quitting: boolean
  /** a pipeline is starting or running */
  running: boolean
  /** the setting "Keep collecting in the tray when the window closes" */
  closeToTray: boolean
  /** a tray icon is shown (tray-host.ts) */
  hasTray: boolean
}

/**
 * Closing while the pipeline runs keeps it running when the setting says so: in the tray where
 * there is one, else the user is asked. Closing a stopped Tickflow, or with the setting off, quits
 * as before (draining).
 */
export function closeAction(f: CloseFacts): CloseAction {
  if (f.quitting || !f.running || !f.closeToTray) return 'close'
  return f.hasTray ? 'hide' : 'ask'
}

export interface CloseToTrayOptions {
  facts(): CloseFacts
  /** the first hide says, once, where Tickflow went; true when it has said so before */
  noticeShown(): boolean
  /** says it (a notification) and records that it was said */
  showNotice(): void
  /** no tray: asks whether to stop collecting (and quit) or keep collecting */
  ask(): Promise<'stop' | 'keep'>
  /** the user chose to stop: a Stop, then quit */
  stopAndQuit(): void
}

/** The window's close handler: hides to the tray, asks, or lets the window close. */
export function closeToTray(
  win: Pick<BrowserWindow, 'on' | 'hide' | 'minimize'>,
  opts: CloseToTrayOptions,
): void {
  let asking = false
  win.on('close', (event) => {
    const action = closeAction(opts.facts())
    if (action === 'close') return
    event.preventDefault()
    if (action === 'hide') {
      win.hide()
      if (!opts.noticeShown()) opts.showNotice()
      return
    }
    if (asking) return
    asking = true
    void opts
      .ask()
      .then((answer) => {
        if (answer === 'stop') opts.stopAndQuit()
        else win.minimize() // without a tray the taskbar is where it waits
      })
      .finally(() => (asking = false))
  })
}
