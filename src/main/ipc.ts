import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron'
import { COMMAND_NAMES, commandChannel, eventChannel, type EventName } from '../shared/channels'
import type { ApiHandlers, EventPayloads, Reply } from '../shared/contract'
import { dispatch, toApiError } from './api/dispatch'

/** The one window's client id in the core (browser mode has one per tab). */
export const WINDOW_CLIENT = 'window'

/**
 * Electron transport for the typed API: one handle per command channel. The sender must be our
 * own window's main frame; the payload is validated by dispatch() before any handler runs.
 */
export function registerIpc(handlers: ApiHandlers, window: () => BrowserWindow | null): void {
  for (const name of COMMAND_NAMES) {
    ipcMain.handle(
      commandChannel(name),
      async (event: IpcMainInvokeEvent, payload: unknown): Promise<Reply> => {
        const win = window()
        if (!win || event.sender !== win.webContents || event.senderFrame !== win.webContents.mainFrame) {
          return { ok: false, error: { message: 'request from an unknown sender' } }
        }
        try {
          return { ok: true, value: await dispatch(handlers, name, payload, { clientId: WINDOW_CLIENT }) }
        } catch (err) {
          return { ok: false, error: toApiError(err) }
        }
      },
    )
  }
}

export function pushEvent<E extends EventName>(
  win: BrowserWindow | null,
  name: E,
  payload: EventPayloads[E],
): void {
  if (win && !win.isDestroyed()) win.webContents.send(eventChannel(name), payload)
}
