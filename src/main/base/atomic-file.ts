import { randomBytes } from 'node:crypto'
import { open, readdir, rename, rm, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { isProcessAlive } from './process-info'

export interface AtomicWriteOptions {
  /** default 0o600: our files may hold secrets, or point at where they are */
  mode?: number
  /** test seam: runs once the temp file is complete and synced, just before the rename */
  beforeRename?: (tmpPath: string) => void | Promise<void>
}

// .settings.json.<pid>.<random>.tmp: the pid says whether the writer may still be at work.
const tempName = (name: string): string => `.${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`

/**
 * Replaces `path` with `data` so that a reader, or the next start after a crash, sees the old file
 * or the new one, never a mix: write a temp file in the same directory (a rename is atomic only
 * within one file system), fsync it, rename it over the old one, and fsync the directory so the
 * rename itself survives a power cut.
 */
export async function writeFileAtomic(
  path: string,
  data: string,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  const mode = opts.mode ?? 0o600
  const dir = dirname(path)
  const tmp = join(dir, tempName(basename(path)))
  try {
    const fh = await open(tmp, 'wx', mode)
    try {
      await fh.writeFile(data, 'utf8')
      await fh.chmod(mode) // the umask may have narrowed it; a wider one is never wanted
      await fh.sync()
    } finally {
      await fh.close()
    }
    await opts.beforeRename?.(tmp)
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
  await syncDir(dir)
}

/** Makes the rename durable where it can. Never throws: by now the file has been replaced. */
async function syncDir(dir: string): Promise<void> {
  let fh: FileHandle
  try {
    fh = await open(dir, 'r')
  } catch {
    // A directory we may write but not read, or a system that cannot open one (Windows): the
    // rename has landed, so the caller must not hear that the write failed.
    return
  }
  try {
    await fh.sync()
  } catch {
    // some file systems cannot fsync a directory; the rename stands all the same
  } finally {
    await fh.close().catch(() => undefined) // a read-only handle: a failed close loses no data
  }
}

/** Removes the temp files that writers of `path` left when they died mid-write; returns how many. */
export async function removeCrashedTemps(path: string): Promise<number> {
  const name = basename(path)
  const prefix = `.${name}.`
  let entries: string[]
  try {
    entries = await readdir(dirname(path))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0
    throw err
  }
  let removed = 0
  for (const entry of entries) {
    if (!entry.startsWith(prefix) || !entry.endsWith('.tmp')) continue
    const pid = Number(entry.slice(prefix.length).split('.')[0])
    if (!Number.isInteger(pid) || pid === process.pid || (await isProcessAlive(pid))) continue
    await rm(join(dirname(path), entry), { force: true })
    removed++
  }
  return removed
}
