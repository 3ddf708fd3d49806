import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { insertTrades, T0 } from '../../../test/helpers/kpi-test-data'
import { dropTestSchema, uniqueSchemaName } from '../../../test/setup/test-database'
import { dispatch } from '../api/dispatch'
import { EventHub } from '../api/events'
import { createCore, type Core } from '../api/handlers'
import { resolveSettings } from '../config'
import { createServices } from '../services'
import { PNG_SIGNATURE } from '../../shared/chart-image'
import { copyPngToClipboard, pngSaver } from './chart-image'
import { saveDialogChooser } from './export-dialog'
import { testKafkaSettings } from '../../../test/helpers/test-kafka'

// Only Electron's dialog is a stand-in (its binary is not here); the core, Kafka and PostgreSQL are real.
const electron = vi.hoisted(() => ({
  app: { getPath: (name: string): string => `/nonexistent/${name}` },
  dialog: { showSaveDialog: vi.fn() },
  nativeImage: { createFromBuffer: vi.fn(() => ({ isEmpty: () => false })) },
  clipboard: { writeImage: vi.fn() },
}))
vi.mock('electron', () => electron)

describe("the desktop app's Export CSV and chart images, through the save dialog", () => {
  let core: Core
  let dir: string
  const schema = uniqueSchemaName('shell_export')

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickflow-shell-export-'))
    const settings = resolveSettings(
      {
        ...testKafkaSettings(),
        databaseUrl: inject('databaseUrl'),
        pgSchema: schema,
        topic: `shell-export-${schema}`,
        dataDir: dir,
      },
      {},
    )
    const services = await createServices(settings)
    await insertTrades(services.db.pool)
    // as shell/index.ts wires it
    core = createCore(services, new EventHub(), {
      chooseExportPath: saveDialogChooser(() => null),
      chartImages: { save: pngSaver(saveDialogChooser(() => null, 'png')), copy: copyPngToClipboard },
    })
  })

  afterAll(async () => {
    await core?.shutdown()
    await dropTestSchema(schema)
    await rm(dir, { recursive: true, force: true })
  })

  const window = { from: T0, to: T0 + 90_000 }

  it('writes the file where the user chose, suggesting the core name', async () => {
    const path = join(dir, 'my trades.csv')
    electron.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: path })
    expect(await dispatch(core, 'exportCsv', window)).toMatchObject({ path, rows: 9 })
    const [options] = electron.dialog.showSaveDialog.mock.calls[0] as [{ defaultPath: string }]
    expect(options.defaultPath).toMatch(/^\/nonexistent\/documents\/tickflow-trades-.*\.csv$/)
    const lines = (await readFile(path, 'utf8')).trim().split('\r\n')
    expect(lines[0]).toMatch(/^symbol,price,volume,/)
    expect(lines).toHaveLength(10)
  })

  it('writes nothing when the user cancels', async () => {
    const before = await readdir(dir)
    electron.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: true, filePath: '' })
    expect(await dispatch(core, 'exportCsv', window)).toBeNull()
    expect(await readdir(dir)).toEqual(before)
  })

  const png = new Uint8Array([...PNG_SIGNATURE, 0, 0, 0, 13])

  it("saves a panel's image where the user chose, among Pictures", async () => {
    const path = join(dir, 'chart.png')
    electron.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: path })
    const name = 'tickflow-latency-5m-20261207T215313Z.png'
    expect(await dispatch(core, 'savePng', { name, png })).toEqual({ path, bytes: png.byteLength })
    const [options] = electron.dialog.showSaveDialog.mock.calls.at(-1) as [{ defaultPath: string }]
    expect(options.defaultPath).toBe(`/nonexistent/pictures/${name}`)
    expect(new Uint8Array(await readFile(path))).toEqual(png)
  })

  it('copies an image to the clipboard, and refuses what is no PNG before any of it', async () => {
    expect(await dispatch(core, 'copyPng', { png })).toBeNull()
    expect(electron.clipboard.writeImage).toHaveBeenCalledTimes(1)
    await expect(dispatch(core, 'copyPng', { png: png.slice(1) })).rejects.toThrow('not a PNG')
    expect(electron.clipboard.writeImage).toHaveBeenCalledTimes(1)
  })
})
