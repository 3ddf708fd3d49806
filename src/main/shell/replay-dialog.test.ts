import { beforeEach, describe, expect, it, vi } from 'vitest'
import { openDialogChooser, openDialogOptions } from './replay-dialog'

// No Electron binary here: the dialog answers what each test tells it to.
const dialog = { showOpenDialog: vi.fn() }
const answer = (filePaths: string[], canceled = false): void =>
  void dialog.showOpenDialog.mockResolvedValueOnce({ canceled, filePaths })

const RECORDINGS = '/home/ann/.tickflow/recordings'

beforeEach(() => dialog.showOpenDialog.mockReset())

describe('openDialogOptions', () => {
  it('opens one file, JSONL first', () => {
    const options = openDialogOptions(RECORDINGS)
    expect(options.defaultPath).toBe(RECORDINGS)
    expect(options.properties).toEqual(['openFile'])
    expect(options.filters?.[0]).toEqual({ name: 'Recordings (JSONL)', extensions: ['jsonl'] })
  })
})

describe('openDialogChooser', () => {
  const win = { id: 1 }

  it("returns the user's file, asked over the window, starting in the recordings folder", async () => {
    const choose = openDialogChooser(dialog, () => win as never)
    answer(['/home/ann/feeds/today.jsonl'])
    expect(await choose(RECORDINGS)).toBe('/home/ann/feeds/today.jsonl')
    expect(dialog.showOpenDialog).toHaveBeenCalledWith(
      win,
      expect.objectContaining({ defaultPath: RECORDINGS }),
    )
  })

  it('opens the next dialog where the last choice was', async () => {
    const choose = openDialogChooser(dialog, () => win as never)
    answer(['/home/ann/feeds/today.jsonl'])
    await choose(RECORDINGS)
    answer([], true)
    await choose(RECORDINGS)
    expect(dialog.showOpenDialog).toHaveBeenLastCalledWith(
      win,
      expect.objectContaining({ defaultPath: '/home/ann/feeds' }),
    )
  })

  it('answers null when the user cancels, or the dialog gives no absolute path', async () => {
    const choose = openDialogChooser(dialog, () => win as never)
    answer([], true)
    expect(await choose(RECORDINGS)).toBeNull()
    answer(['/home/ann/a.jsonl'], true)
    expect(await choose(RECORDINGS)).toBeNull()
    answer([])
    expect(await choose(RECORDINGS)).toBeNull()
    answer(['relative/a.jsonl'])
    expect(await choose(RECORDINGS)).toBeNull()
  })

  it('still asks when the window is gone', async () => {
    const choose = openDialogChooser(dialog, () => null)
    answer(['/tmp/a.jsonl'])
    expect(await choose(RECORDINGS)).toBe('/tmp/a.jsonl')
    expect(dialog.showOpenDialog).toHaveBeenCalledWith(expect.objectContaining({ defaultPath: RECORDINGS }))
  })
})
