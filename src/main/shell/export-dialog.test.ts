import { beforeEach, describe, expect, it, vi } from 'vitest'
import { saveDialogChooser, saveDialogOptions } from './export-dialog'

// No Electron binary here: the dialog answers what each test tells it to.
const electron = vi.hoisted(() => ({
  app: { getPath: vi.fn((name: string) => `/home/ann/${name === 'documents' ? 'Documents' : name}`) },
  dialog: { showSaveDialog: vi.fn() },
}))
vi.mock('electron', () => electron)
const { showSaveDialog } = electron.dialog

const answer = (filePath: string | undefined, canceled = false): void =>
  void showSaveDialog.mockResolvedValueOnce({ canceled, filePath })

beforeEach(() => showSaveDialog.mockReset())

describe('saveDialogOptions', () => {
  it("suggests the core's file name in the folder, CSV first, asking before overwriting", () => {
    const options = saveDialogOptions(
      'tickflow-trades-20261126T090000Z-20261126T100000Z.csv',
      '/home/ann/Documents',
    )
    expect(options.defaultPath).toBe(
      '/home/ann/Documents/tickflow-trades-20261126T090000Z-20261126T100000Z.csv',
    )
    expect(options.filters?.[0]).toEqual({ name: 'CSV files', extensions: ['csv'] })
    expect(options.properties).toContain('showOverwriteConfirmation')
  })

  it('keeps only the name of a suggestion that holds a path', () => {
    expect(saveDialogOptions('../../.bashrc', '/home/ann/Documents').defaultPath).toBe(
      '/home/ann/Documents/.bashrc',
    )
  })
})

describe('saveDialogChooser', () => {
  const win = { id: 1 }
  const choose = saveDialogChooser(() => win as never)

  it("returns the user's path, shown over the window, starting in Documents", async () => {
    answer('/home/ann/exports/trades.csv')
    expect(await choose('trades.csv')).toBe('/home/ann/exports/trades.csv')
    expect(showSaveDialog).toHaveBeenCalledWith(
      win,
      expect.objectContaining({ defaultPath: '/home/ann/Documents/trades.csv' }),
    )
  })

  it('opens the next dialog where the last export went', async () => {
    const chooser = saveDialogChooser(() => win as never)
    answer('/home/ann/exports/trades.csv')
    await chooser('trades.csv')
    answer(undefined, true)
    await chooser('kpi.csv')
    expect(showSaveDialog).toHaveBeenLastCalledWith(
      win,
      expect.objectContaining({ defaultPath: '/home/ann/exports/kpi.csv' }),
    )
  })

  it('answers null when the user cancels, or the dialog gives no absolute path', async () => {
    answer(undefined, true)
    expect(await choose('a.csv')).toBeNull()
    answer('', false)
    expect(await choose('a.csv')).toBeNull()
    answer('relative/a.csv', false)
    expect(await choose('a.csv')).toBeNull()
  })

  it('still asks when the window is gone', async () => {
    const windowless = saveDialogChooser(() => null)
    answer('/tmp/a.csv')
    expect(await windowless('a.csv')).toBe('/tmp/a.csv')
    expect(showSaveDialog).toHaveBeenCalledWith(
      expect.objectContaining({ defaultPath: '/home/ann/Documents/a.csv' }),
    )
  })
})
