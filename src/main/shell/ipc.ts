import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron'
import { COMMAND_NAMES, commandChannel, eventChannel, type EventName } from '../../shared/channels'
import type { ApiHandlers, EventPayloads, Reply } from '../../shared/contract'
import { dispatch, toApiError } from '../api/dispatch'
import { isAppUrl, type AppLocation } from './trusted-url'

/** The one window's client id in the core (browser mode has one per tab). */
export const WINDOW_CLIENT = 'window'

type Sender = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>

/**
 * A request counts only from our window's main frame while it shows the app itself: not from a
 * subframe, another web contents, or our window after something navigated it elsewhere.
 */
export function isAppSender(event: Sender, win: BrowserWindow | null, trusted: AppLocation): boolean {
  const frame = event.senderFrame
  return (
    win !== null &&
    !win.isDestroyed() &&
    event.sender === win.webContents &&
    frame !== null &&
    frame === win.webContents.mainFrame &&
    isAppUrl(frame.url, trusted)
  )
}

/**
 * Electron transport for the typed API: one handle per command channel. The sender is checked
 * first; dispatch() then validates the payload against the contract's schema before any handler runs.
 */
export function registerIpc(
  handlers: ApiHandlers,
  window: () => BrowserWindow | null,
  trusted: AppLocation,
): void {
  for (const name of COMMAND_NAMES) {
    ipcMain.handle(commandChannel(name), async (event, payload: unknown): Promise<Reply> => {
      if (!isAppSender(event, window(), trusted))
        return { ok: false, error: { message: 'request from an unknown sender' } }
      try {
        return { ok: true, value: await dispatch(handlers, name, payload, { clientId: WINDOW_CLIENT }) }
      } catch (err) {
        return { ok: false, error: toApiError(err) }
      }
    })
  }
}

export function pushEvent<E extends EventName>(
  win: BrowserWindow | null,
  name: E,
  payload: EventPayloads[E],
): void {
  if (win && !win.isDestroyed()) win.webContents.send(eventChannel(name), payload)
}
