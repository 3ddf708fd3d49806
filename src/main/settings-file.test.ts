import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { resolveSettings } from './config'
import { loadSettingsFile } from './settings-file'

describe('settings file', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickflow-settings-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('is optional', async () => {
    expect(await loadSettingsFile(dir)).toEqual({ settings: {}, warnings: [] })
  })

  it('sits below the environment and the flags', async () => {
    await writeFile(
      join(dir, 'settings.json'),
      JSON.stringify({ symbols: ['MSFT'], topic: 'from-file', partitions: 6 }),
    )
    await chmod(join(dir, 'settings.json'), 0o600)
    const { settings } = await loadSettingsFile(dir)
    const s = resolveSettings(
      { topic: 'from-flag' },
      { DATABASE_URL: 'postgres://env/db', TICKFLOW_DATA_DIR: dir },
      settings,
    )
    expect(s).toMatchObject({
      symbols: ['MSFT'],
      topic: 'from-flag',
      partitions: 6,
      databaseUrl: 'postgres://env/db',
    })
  })

  it('names the file and the setting when something is wrong', async () => {
    await writeFile(join(dir, 'settings.json'), JSON.stringify({ partitions: 0, topicc: 'x' }))
    await expect(loadSettingsFile(dir)).rejects.toThrow(
      /settings\.json: .*partitions.*Unrecognized key.*topicc/,
    )
    await writeFile(join(dir, 'settings.json'), '{"symbols": [')
    await expect(loadSettingsFile(dir)).rejects.toThrow(/settings\.json is not valid JSON/)
  })

  it('warns when a token sits in a file others can read', async () => {
    await writeFile(join(dir, 'settings.json'), JSON.stringify({ finnhubToken: 'tok' }))
    await chmod(join(dir, 'settings.json'), 0o644)
    const { settings, warnings } = await loadSettingsFile(dir)
    expect(settings.finnhubToken).toBe('tok')
    expect(warnings[0]).toMatch(/chmod 600/)
    expect(warnings[0]).not.toContain('tok"')
  })
})
