import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { settingsFileSchema, type SettingsInput } from './config'

export const SETTINGS_FILE = 'settings.json'

export interface LoadedSettings {
  settings: Partial<SettingsInput>
  /** things the user should know, e.g. a token in a file others can read */
  warnings: string[]
}

/**
 * Reads <dataDir>/settings.json if there is one: the same names as the settings themselves, e.g.
 * {"symbols": ["AAPL"], "finnhubToken": "…"}. A missing file is no settings; a broken one is an
 * error that names the file and the setting, never a silent fallback.
 */
export async function loadSettingsFile(dataDir: string): Promise<LoadedSettings> {
  const path = join(dataDir, SETTINGS_FILE)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { settings: {}, warnings: [] }
    throw new Error(`cannot read ${path}: ${(err as Error).message}`, { cause: err })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new Error(`${path} is not valid JSON: ${(err as Error).message}`, { cause: err })
  }
  const parsed = settingsFileSchema.safeParse(json)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`)
    throw new Error(`${path}: ${issues.join('; ')}`)
  }
  const warnings: string[] = []
  if (parsed.data.finnhubToken && ((await stat(path)).mode & 0o077) !== 0) {
    warnings.push(`${path} holds the Finnhub token and others can read it: chmod 600 ${path}`)
  }
  return { settings: parsed.data, warnings }
}
