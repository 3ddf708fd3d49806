import { execFile } from 'node:child_process'
import { mkdtemp, open, rm, rmdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

/** A small file system for a test to fill: a tmpfs, which needs root (or CAP_SYS_ADMIN). */

const exec = promisify(execFile)

export async function mountTmpfs(dir: string, sizeMb: number): Promise<void> {
  await exec('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0755`, 'tmpfs', dir])
}

/**
 * Unmounts, whatever the test left on it; lazily (detached now, freed once unused) when a process
 * still holds a file there, so a failed test never leaves a mount behind.
 */
export async function unmount(dir: string): Promise<void> {
  await exec('umount', [dir]).catch(() => exec('umount', ['-l', dir]))
}

/** Why a tmpfs cannot be mounted here; null when it can (tried on a scratch dir). */
export async function cannotMount(): Promise<string | null> {
  if (process.platform !== 'linux') return `mounting a tmpfs needs Linux (this is ${process.platform})`
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root (or CAP_SYS_ADMIN)'
  const probe = await mkdtemp(join(tmpdir(), 'tickflow-mount-probe-'))
  try {
    await mountTmpfs(probe, 1)
    await unmount(probe)
    return null
  } catch (err) {
    return `could not mount a tmpfs: ${(err as Error).message.split('\n')[0]}`
  } finally {
    await rmdir(probe).catch(() => undefined)
  }
}

/** Writes `path` until the disk under it is full; returns the bytes it took. Delete it to free them. */
export async function fillWithBallast(path: string): Promise<number> {
  const chunk = Buffer.alloc(1 << 20, 0x5a)
  const f = await open(path, 'w')
  let bytes = 0
  try {
    for (;;) {
      const { bytesWritten } = await f.write(chunk)
      bytes += bytesWritten
      if (bytesWritten < chunk.length) break
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err
  } finally {
    await f.close()
  }
  return bytes
}

export async function removeBallast(path: string): Promise<void> {
  await rm(path, { force: true })
}
