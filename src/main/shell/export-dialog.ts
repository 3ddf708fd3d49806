import { app, dialog, type BrowserWindow, type SaveDialogOptions } from 'electron'
import { basename, dirname, isAbsolute, join } from 'node:path'

/** What the app saves through a dialog: CSV exports, and panels' chart images. */
const KINDS = {
  csv: {
    title: 'Export CSV',
    buttonLabel: 'Export',
    filter: { name: 'CSV files', extensions: ['csv'] },
    folder: 'documents',
  },
  png: {
    title: 'Save chart image',
    buttonLabel: 'Save',
    filter: { name: 'PNG images', extensions: ['png'] },
    folder: 'pictures',
  },
} as const
export type SaveKind = keyof typeof KINDS

/** The save dialog for a file of `kind`: the suggested name, in `dir`, that kind's files first. */
export function saveDialogOptions(
  suggestedName: string,
  dir: string,
  kind: SaveKind = 'csv',
): SaveDialogOptions {
  const k = KINDS[kind]
  return {
    title: k.title,
    buttonLabel: k.buttonLabel,
    // basename: the suggestion is a file name; a path in it must not steer the dialog elsewhere
    defaultPath: join(dir, basename(suggestedName)),
    filters: [
      { ...k.filter, extensions: [...k.filter.extensions] },
      { name: 'All files', extensions: ['*'] },
    ],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  }
}

/**
 * createCore's chooseExportPath under Electron (and the chart images' chooser): the user names the
 * file in a native dialog, so the renderer never names a path. Null when they cancel. The next
 * save of the kind opens where the last went.
 */
export function saveDialogChooser(
  window: () => BrowserWindow | null,
  kind: SaveKind = 'csv',
): (suggestedName: string) => Promise<string | null> {
  let lastDir: string | null = null
  return async (suggestedName) => {
    const options = saveDialogOptions(suggestedName, lastDir ?? app.getPath(KINDS[kind].folder), kind)
    const win = window()
    const { canceled, filePath } = win
      ? await dialog.showSaveDialog(win, options)
      : await dialog.showSaveDialog(options)
    if (canceled || !filePath || !isAbsolute(filePath)) return null
    lastDir = dirname(filePath)
    return filePath
  }
}
