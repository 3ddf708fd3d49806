import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { PNG_SIGNATURE } from '../../shared/chart-image'
import { commandSchemas } from '../../shared/contract'
import { dispatch } from '../api/dispatch'
import { copyPngToClipboard, pngSaver } from './chart-image'
import { saveDialogChooser } from './export-dialog'

// No Electron binary here: the dialog, nativeImage and the clipboard answer as each test says.
const electron = vi.hoisted(() => ({
  app: { getPath: vi.fn((name: string) => `/home/ann/${name === 'pictures' ? 'Pictures' : name}`) },
  dialog: { showSaveDialog: vi.fn() },
  nativeImage: { createFromBuffer: vi.fn() },
  clipboard: { writeImage: vi.fn() },
}))
vi.mock('electron', () => electron)
const { showSaveDialog } = electron.dialog

const png = new Uint8Array([...PNG_SIGNATURE, 0, 0, 0, 13, 73, 72, 68, 82])

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tickflow-png-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))
beforeEach(() => vi.clearAllMocks())

describe('pngSaver', () => {
  it("offers the renderer's name among Pictures, PNG first, and writes the bytes where the user chose", async () => {
    const path = join(dir, 'chart.png')
    showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: path })
    const save = pngSaver(saveDialogChooser(() => null, 'png'))
    const name = 'tickflow-latency-5m-20261207T215313Z.png'
    expect(await save({ name, png })).toEqual({ path, bytes: png.byteLength })
    expect(showSaveDialog).toHaveBeenCalledWith(
      expect.objectContaining({
        title: 'Save chart image',
        defaultPath: `/home/ann/Pictures/${name}`,
        filters: [
          { name: 'PNG images', extensions: ['png'] },
          { name: 'All files', extensions: ['*'] },
        ],
      }),
    )
    expect(new Uint8Array(await readFile(path))).toEqual(png)
  })

  it('writes nothing when the user cancels', async () => {
    const choose = vi.fn(async () => null)
    expect(await pngSaver(choose)({ name: 'a.png', png })).toBeNull()
  })

  it('says which file could not be written, and why, without its folders', async () => {
    const save = pngSaver(async () => join(dir, 'no-such-dir', 'a.png'))
    await expect(save({ name: 'a.png', png })).rejects.toThrow(/^could not save a\.png: ENOENT$/)
  })
})

describe('the savePng request, as main checks it before the dialog opens', () => {
  const handlers = { savePng: vi.fn(async () => null) } as never
  const refusal = (payload: unknown): Promise<unknown> => dispatch(handlers, 'savePng', payload)

  it('takes a PNG under a plain name', async () => {
    await expect(refusal({ name: 'tickflow-a_b.1.png', png })).resolves.toBeNull()
  })

  it('refuses bytes that are not a PNG, or too many of them', async () => {
    await expect(refusal({ name: 'a.png', png: new TextEncoder().encode('GIF89a…') })).rejects.toThrow(
      'png: the image is not a PNG',
    )
    const huge = new Uint8Array(32 * 1024 * 1024 + 1)
    huge.set(PNG_SIGNATURE)
    await expect(refusal({ name: 'a.png', png: huge })).rejects.toThrow('png: the image is larger than 32 MB')
    await expect(refusal({ name: 'a.png', png: 'iVBORw0KGgo=' })).rejects.toThrow('png: the image must be bytes')
  })

  it('refuses a name that holds a path or is no .png', async () => {
    for (const name of ['../a.png', '/tmp/a.png', 'a.png.exe', '.png', 'a b.png'])
      await expect(refusal({ name, png })).rejects.toThrow(/^name: /)
  })

  it('copyPng takes the same checks', () => {
    expect(commandSchemas.copyPng.safeParse({ png: png.slice(0, 8) }).success).toBe(false)
    expect(commandSchemas.copyPng.safeParse({ png }).success).toBe(true)
  })
})

describe('copyPngToClipboard', () => {
  it('puts the decoded image on the clipboard', () => {
    const image = { isEmpty: () => false }
    electron.nativeImage.createFromBuffer.mockReturnValueOnce(image)
    copyPngToClipboard(png)
    expect(Buffer.from(electron.nativeImage.createFromBuffer.mock.calls[0]?.[0] as Buffer)).toEqual(
      Buffer.from(png),
    )
    expect(electron.clipboard.writeImage).toHaveBeenCalledWith(image)
  })

  it('leaves the clipboard alone when Electron cannot decode the bytes', () => {
    electron.nativeImage.createFromBuffer.mockReturnValueOnce({ isEmpty: () => true })
    expect(() => copyPngToClipboard(png)).toThrow('the image could not be read as a PNG')
    expect(electron.clipboard.writeImage).not.toHaveBeenCalled()
  })
})
