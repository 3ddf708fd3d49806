import type { BrowserWindow, Dialog, OpenDialogOptions } from 'electron'
import { dirname, isAbsolute } from 'node:path'

/** The open dialog for a replay: JSONL recordings first, starting in `dir`. */
export function openDialogOptions(dir: string): OpenDialogOptions {
  return {
    title: 'Replay a recording',
    buttonLabel: 'Replay',
    defaultPath: dir,
    filters: [
      { name: 'Recordings (JSONL)', extensions: ['jsonl'] },
      { name: 'All files', extensions: ['*'] },
    ],
    properties: ['openFile'],
  }
}

/**
 * createCore's chooseReplayFile under Electron: the user picks the file in a native dialog, so the
 * renderer never names a path (the core keeps the choice as the replay's file). Null when they
 * cancel. It opens where the core says (the recordings folder), then where the last choice was.
 */
export function openDialogChooser(
  dialog: Pick<Dialog, 'showOpenDialog'>,
  window: () => BrowserWindow | null,
): (startDir: string) => Promise<string | null> {
  let lastDir: string | null = null
  return async (startDir) => {
    const options = openDialogOptions(lastDir ?? startDir)
    const win = window()
    const { canceled, filePaths } = win
      ? await dialog.showOpenDialog(win, options)
      : await dialog.showOpenDialog(options)
    const path = filePaths[0]
    if (canceled || !path || !isAbsolute(path)) return null
    lastDir = dirname(path)
    return path
  }
}
