// Checks jars against the lock. A jar reaches its final name only through placeVerifiedJar, so a
// directory of jars is either complete and verified or detectably not.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { JarEntry, JarLock } from './jar-lock'

/** A jar whose bytes differ from the lock: tampering or a broken mirror, never worth a retry. */
export class JarIntegrityError extends Error {
  override name = 'JarIntegrityError'
}

export interface FileDigests {
  size: number
  sha256: string
  sha1: string
}

export async function fileDigests(path: string): Promise<FileDigests> {
  const sha256 = createHash('sha256')
  const sha1 = createHash('sha1')
  let size = 0
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    sha256.update(chunk)
    sha1.update(chunk)
    size += chunk.length
  }
  return { size, sha256: sha256.digest('hex'), sha1: sha1.digest('hex') }
}

/** Throws JarIntegrityError unless the file at path has the entry's size, SHA-256 and SHA-1. */
export async function verifyJar(path: string, entry: JarEntry): Promise<void> {
  const size = (await stat(path)).size
  if (size !== entry.size) {
    throw new JarIntegrityError(`${entry.file} is ${size} bytes, the lock says ${entry.size}: refused`)
  }
  const got = await fileDigests(path)
  for (const algo of ['sha256', 'sha1'] as const) {
    if (got[algo] !== entry[algo]) {
      throw new JarIntegrityError(
        `${entry.file} failed its ${algo.toUpperCase()} check (expected ${entry[algo]}, got ${got[algo]}): refused`,
      )
    }
  }
}

/** Verifies tmpPath and only then renames it to finalPath; a refused file is deleted. */
export async function placeVerifiedJar(tmpPath: string, entry: JarEntry, finalPath: string): Promise<void> {
  try {
    await verifyJar(tmpPath, entry)
    await rename(tmpPath, finalPath)
  } catch (err) {
    await rm(tmpPath, { force: true })
    throw err
  }
}

/** Undefined when dir holds every locked jar, verified; otherwise why not (for a progress line). */
export async function checkJarSet(dir: string, lock: JarLock): Promise<string | undefined> {
  for (const entry of lock.jars) {
    try {
      await verifyJar(join(dir, entry.file), entry)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      return code === 'ENOENT' ? `${entry.file} is missing` : (err as Error).message
    }
  }
  return undefined
}
