import { chmod, readFile, rename } from 'node:fs/promises'
import { basename } from 'node:path'
import type { z } from 'zod'

export interface JsonFileRead<T> {
  /** null when the file is missing, or was corrupt and has been moved aside */
  data: T | null
  warnings: string[]
}

// Keys whose values are secrets: never repeated in a message about the file.
const SECRET_KEY = /token|password|secret/i

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
  return quarantine(path, redact(problems, secretValues(json)), now)
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

/** Every string under a secret-looking key, and the password of any URL, anywhere in the document. */
function secretValues(json: unknown, underSecret = false, out: string[] = []): string[] {
  if (typeof json === 'string') {
    if (underSecret) out.push(json)
    const pw = /^[a-z][a-z0-9+.-]*:\/\/[^/@:]*:([^/@]+)@/i.exec(json)?.[1]
    if (pw) out.push(pw)
  } else if (json !== null && typeof json === 'object') {
    for (const [k, v] of Object.entries(json)) secretValues(v, underSecret || SECRET_KEY.test(k), out)
  }
  return out.filter((s) => s.length > 0)
}

function redact(text: string, secrets: string[]): string {
  return secrets.reduce((t, s) => t.split(s).join('***'), text)
}
