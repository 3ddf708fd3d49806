import { randomBytes } from 'node:crypto'
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { Writable } from 'node:stream'
import { finished } from 'node:stream/promises'

/** The temp name an export writes under, beside its target: hidden, unique, and easy to recognise. */
export function partialName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`)
}

export function isPartialOf(path: string, name: string): boolean {
  return name.startsWith(`.${basename(path)}.`) && name.endsWith('.partial')
}

/**
 * Writes a file that appears whole or not at all. `write` fills a stream on a temp file beside the
 * target (same directory, so the rename is atomic and never copies); on success the temp file is
 * renamed over the target, on abort or error it is removed and the target is left as it was.
 */
export async function writeFileAtomically<T>(
  path: string,
  write: (out: Writable) => Promise<T>,
): Promise<{ value: T; bytes: number }> {
  await mkdir(dirname(path), { recursive: true })
  const temp = partialName(path)
  // Opened before any write: a stream that opens lazily could create the file after an early
  // cancel had already cleaned up.
  const handle = await open(temp, 'wx', 0o644)
  const out = handle.createWriteStream()
  try {
    const value = await write(out)
    if (!out.writableFinished) await finished(out)
    await closed(out)
    const bytes = (await stat(temp)).size
    await rename(temp, path)
    return { value, bytes }
  } catch (err) {
    out.destroy()
    await closed(out)
    await rm(temp, { force: true })
    throw err
  }
}

/** Resolves once the stream has let go of its file descriptor. */
function closed(out: Writable): Promise<void> {
  if (out.closed) return Promise.resolve()
  return new Promise((resolve) => out.once('close', () => resolve()))
}

/** Temp files of `path` left in its directory (for tests and for a tidy-up after a crash). */
export async function partialsOf(path: string): Promise<string[]> {
  const names = await readdir(dirname(path)).catch(() => [] as string[])
  return names.filter((n) => isPartialOf(path, n))
}
