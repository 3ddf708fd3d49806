import { app, dialog, type BrowserWindow, type SaveDialogOptions } from 'electron'
import { basename, dirname, isAbsolute, join } from 'node:path'

/** The save dialog for an export: the core's name suggestion, in `dir`, CSV first. */
export function saveDialogOptions(suggestedName: string, dir: string): SaveDialogOptions {
  return {
    title: 'Export CSV',
    buttonLabel: 'Export',
    // basename: the suggestion is a file name; a path in it must not steer the dialog elsewhere
    defaultPath: join(dir, basename(suggestedName)),
    filters: [
      { name: 'CSV files', extensions: ['csv'] },
      { name: 'All files', extensions: ['*'] },
    ],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  }
}

/**
 * createCore's chooseExportPath under Electron: the user names the file in a native dialog, so the
 * renderer never names a path. Null when they cancel. The next export opens where the last went.
 */
export function saveDialogChooser(
  window: () => BrowserWindow | null,
): (suggestedName: string) => Promise<string | null> {
  let lastDir: string | null = null
  return async (suggestedName) => {
    const options = saveDialogOptions(suggestedName, lastDir ?? app.getPath('documents'))
    const win = window()
    const { canceled, filePath } = win
      ? await dialog.showSaveDialog(win, options)
      : await dialog.showSaveDialog(options)
    if (canceled || !filePath || !isAbsolute(filePath)) return null
    lastDir = dirname(filePath)
    return filePath
  }
}
