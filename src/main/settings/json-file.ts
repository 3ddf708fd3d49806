import { chmod, readFile, rename } from 'node:fs/promises'
import { basename } from 'node:path'
import type { z } from 'zod'
import { REDACTED, redactText, redactValue, secretsOf } from '../log/redact'

export interface JsonFileRead<T> {
  /** null when the file is missing, or was corrupt and has been moved aside */
  data: T | null
  warnings: string[]
}

/**
 * Reads one of our JSON files and checks it against its schema. A missing file is no data. A
 * corrupt one (not JSON, cut short by a crash, or not what the schema allows) is moved aside to
 * `<file>.bad-<UTC stamp>`, kept at mode 600 (it may hold secrets), and reported in a warning that
 * names the problem and where the file went. Messages never quote the file's text: it may hold a
 * token, and V8's JSON.parse messages do quote the text around the error.
 */
export async function readJsonFile<T>(
  path: string,
  schema: z.ZodType<T>,
  now: number = Date.now(),
): Promise<JsonFileRead<T>> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { data: null, warnings: [] }
    throw new Error(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return quarantine(path, text.trim() === '' ? 'it is empty' : 'it is not valid JSON (cut short?)', now)
  }
  const parsed = schema.safeParse(json)
  if (parsed.success) return { data: parsed.data, warnings: [] }
  const problems = parsed.error.issues
    .map((i) => `${i.path.join('.') || 'the file'}: ${i.message}`)
    .join('; ')
  return quarantine(path, redactText(problems, secretValues(json, redactValue(json))), now)
}

async function quarantine<T>(path: string, problem: string, now: number): Promise<JsonFileRead<T>> {
  const aside = `${path}.bad-${new Date(now).toISOString().replace(/[-:]/g, '')}`
  await rename(path, aside)
  await chmod(aside, 0o600)
  return {
    data: null,
    warnings: [`${path} was unusable (${problem}); moved it to ${basename(aside)} and started from defaults`],
  }
}

/**
 * The secret strings in a document, as the log's masking (log/redact.ts) judges them: every string
 * redactValue masks, which is all under a secret-named key, and the password of any URL.
 */
function secretValues(json: unknown, masked: unknown): string[] {
  if (typeof json === 'string') {
    // secretsOf reads the password of a URL; any URL here, not only a database's
    return masked === REDACTED ? [json] : secretsOf({ databaseUrl: json })
  }
  if (json === null || typeof json !== 'object') return []
  // Masked whole (under a secret-named key), or deeper than redactValue goes: every string in it.
  if (masked === null || typeof masked !== 'object') return stringsIn(json)
  const copy = masked as Record<string, unknown>
  return Object.entries(json).flatMap(([k, v]) => secretValues(v, copy[k]))
}

function stringsIn(json: unknown): string[] {
  if (typeof json === 'string') return [json]
  if (json === null || typeof json !== 'object') return []
  return Object.values(json).flatMap(stringsIn)
}
