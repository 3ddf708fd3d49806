import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { SettingsInput } from '../config'
import { removeCrashedTemps, writeFileAtomic } from '../base/atomic-file'
import { readJsonFile } from './json-file'
import { joinSecrets, splitSecrets, storedSettingsSchema, type StoredSettings } from './schema'
import { openSecretBox, type SecretBox, type SecretValues, type StringCipher } from './secret-box'
import { serialize } from '../base/serial'

export const SETTINGS_FILE = 'settings.json'
export const SECRETS_FILE = 'secrets.json'

/** A change: each key given replaces the stored value, null removes it (back to the default). */
export type SettingsPatch = { [K in keyof StoredSettings]?: StoredSettings[K] | null }

/**
 * The one settings store of every face (CLI, serve, the desktop app): <data dir>/settings.json for
 * the choices, the secret box (<data dir>/secrets.json) for the token and passwords. The
 * environment and flags override what it holds for one run; what the user changes through the core
 * is written here, so the next start of any face comes back with it.
 */
export interface SettingsStore {
  readonly path: string
  readonly secrets: SecretBox
  /** what opening found: a corrupt file moved aside, secrets moved out of settings.json, … */
  readonly warnings: readonly string[]
  /** the stored settings, secrets joined back in: the file layer of resolveSettings */
  settings(): Partial<SettingsInput>
  symbolsSubscribedPinned(): boolean
  /** the document as stored, secrets out: what only the faces read (the behaviour settings, resumeRun) */
  stored(): Readonly<StoredSettings>
  /** Writes a change (atomically, mode 600); changes are written one at a time, in call order. */
  update(patch: SettingsPatch): Promise<void>
}

export interface OpenStoreOptions {
  /** the desktop app's safeStorage; without it secrets sit in a mode 600 file */
  cipher?: StringCipher
}

export async function openSettingsStore(
  dataDir: string,
  opts: OpenStoreOptions = {},
): Promise<SettingsStore> {
  const path = join(dataDir, SETTINGS_FILE)
  await removeCrashedTemps(path)
  await removeCrashedTemps(join(dataDir, SECRETS_FILE))
  const read = await readJsonFile(path, storedSettingsSchema)
  const opened = await openSecretBox(join(dataDir, SECRETS_FILE), { cipher: opts.cipher })
  const box = opened.box
  const warnings = [...read.warnings, ...opened.warnings]
  let doc: StoredSettings = read.data ?? {}

  const writing = serialize()
  const write = async (next: StoredSettings, secrets: SecretValues): Promise<void> => {
    // Never write what the next start could not read back.
    const checked = storedSettingsSchema.parse(next)
    await mkdir(dataDir, { recursive: true })
    // Secrets first: a crash between the two leaves a secret without its setting, never the reverse.
    if (Object.keys(secrets).length > 0) await box.set(secrets)
    await writeFileAtomic(path, JSON.stringify(checked, null, 2) + '\n', { mode: 0o600 })
    doc = checked
  }

  // A file written by hand may hold secrets: they move to the box, and settings.json loses them.
  const legacy = splitSecrets(doc)
  if (Object.keys(legacy.secrets).length > 0) {
    await writing(() => write(legacy.doc, legacy.secrets))
    warnings.push(`moved the secrets in ${path} to ${SECRETS_FILE} (${box.protection}, mode 600)`)
  }

  return {
    path,
    secrets: box,
    warnings,
    settings: () => joinSecrets(doc, (name) => box.get(name)),
    symbolsSubscribedPinned: () => doc.symbolsSubscribedPinned ?? false,
    stored: () => doc,
    update: (patch) =>
      writing(async () => {
        const merged: Record<string, unknown> = { ...doc }
        for (const [k, v] of Object.entries(patch)) {
          if (v === null) delete merged[k]
          else if (v !== undefined) merged[k] = v
        }
        const { doc: next, secrets } = splitSecrets(merged as StoredSettings)
        // A secret whose setting is removed goes too; a setting given without its secret keeps it.
        if (patch.finnhubToken === null) secrets.finnhubToken = null
        if (patch.kafkaSasl === null) secrets.kafkaSaslPassword = null
        if (patch.databaseUrl === null) secrets.databasePassword = null
        await write(next, secrets)
      }),
  }
}
