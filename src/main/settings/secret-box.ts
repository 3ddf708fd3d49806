import { stat } from 'node:fs/promises'
import { z } from 'zod'
import { writeFileAtomic } from '../base/atomic-file'
import { readJsonFile } from './json-file'
import { serialize } from '../base/serial'

export const SECRET_NAMES = ['finnhubToken', 'kafkaSaslPassword', 'databasePassword'] as const
export type SecretName = (typeof SECRET_NAMES)[number]
export type SecretValues = Partial<Record<SecretName, string | null>>

const LABELS: Record<SecretName, string> = {
  finnhubToken: 'the Finnhub token',
  kafkaSaslPassword: 'the Kafka SASL password',
  databasePassword: 'the PostgreSQL password',
}

/**
 * Where a face keeps its secrets. Values live in memory once read; set() writes them all at once.
 * Nothing here ever puts a value into a message.
 */
export interface SecretBox {
  /** how the values are kept on disk, for a log line: "plain file" or the cipher's name */
  readonly protection: string
  get(name: SecretName): string | undefined
  /** stores each given value, or forgets it when null, in one atomic write */
  set(values: SecretValues): Promise<void>
}

/**
 * The shape of Electron's safeStorage, which the shell passes in (only it may import electron).
 * Without a cipher, values sit in the file as they are, which is then the only protection (mode 600).
 */
export interface StringCipher {
  readonly name: string
  encryptString(plain: string): Buffer
  decryptString(encrypted: Buffer): string
}

// An encrypted value is base64 of the cipher's bytes; `encrypted` says which it is.
const entrySchema = z.strictObject({ encrypted: z.boolean(), value: z.string() })
type Entry = z.infer<typeof entrySchema>
const fileSchema = z.strictObject(
  Object.fromEntries(SECRET_NAMES.map((n) => [n, entrySchema.optional()])),
) as z.ZodType<Partial<Record<SecretName, Entry>>>

export interface OpenedSecretBox {
  box: SecretBox
  warnings: string[]
}

/** Opens (or, on the first set, creates) the secrets file at `path`, mode 600. */
export async function openSecretBox(
  path: string,
  opts: { cipher?: StringCipher } = {},
): Promise<OpenedSecretBox> {
  const { cipher } = opts
  const read = await readJsonFile(path, fileSchema)
  const warnings = [...read.warnings]
  if (read.warnings.length > 0) warnings.push(`secrets kept in ${path} must be set again`)
  // Entries this face cannot open stay in the file untouched: the desktop app may read them later.
  const sealed: Partial<Record<SecretName, Entry>> = {}
  const values = new Map<SecretName, string>()
  let plain = 0
  for (const name of SECRET_NAMES) {
    const entry = read.data?.[name]
    if (!entry) continue
    if (!entry.encrypted) {
      values.set(name, entry.value)
      plain++
      continue
    }
    if (!cipher) {
      sealed[name] = entry
      warnings.push(`${LABELS[name]} in ${path} is encrypted by the desktop app; this face cannot read it`)
      continue
    }
    try {
      values.set(name, cipher.decryptString(Buffer.from(entry.value, 'base64')))
    } catch {
      sealed[name] = entry
      warnings.push(`${LABELS[name]} in ${path} cannot be decrypted (${cipher.name}); set it again`)
    }
  }
  if (plain > 0 && ((await stat(path)).mode & 0o077) !== 0)
    warnings.push(`${path} holds secrets and others can read it: chmod 600 ${path}`)

  const seal = (plain: string): Entry =>
    cipher
      ? { encrypted: true, value: cipher.encryptString(plain).toString('base64') }
      : { encrypted: false, value: plain }
  const writing = serialize()
  const box: SecretBox = {
    protection: cipher ? cipher.name : 'plain file',
    get: (name) => values.get(name),
    set: (changes) =>
      writing(async () => {
        const next = new Map(values)
        const stillSealed = { ...sealed }
        for (const [name, value] of Object.entries(changes) as [SecretName, string | null | undefined][]) {
          if (value === undefined) continue
          delete stillSealed[name]
          if (value === null) next.delete(name)
          else next.set(name, value)
        }
        const file: Partial<Record<SecretName, Entry>> = { ...stillSealed }
        for (const [name, value] of next) file[name] = seal(value)
        await writeFileAtomic(path, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 })
        // Memory follows the file only once it is written, so a failed write changes nothing.
        values.clear()
        for (const [k, v] of next) values.set(k, v)
        for (const name of SECRET_NAMES) if (!stillSealed[name]) delete sealed[name]
      }),
  }
  return { box, warnings }
}
