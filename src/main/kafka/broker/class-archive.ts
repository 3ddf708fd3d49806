// Class data sharing (AppCDS) for the managed broker: the JVM maps the classes a former run loaded
// from an archive instead of reading, parsing and verifying them from the jars again. Java 17 has
// no -XX:+AutoCreateSharedArchive (JDK 19+), so the first attached start dumps the archive at its
// exit (-XX:ArchiveClassesAtExit) and the later ones map it (-XX:SharedArchiveFile).
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readdir, realpath, rename, rm, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { ExitInfo } from '../../supervise/restart-policy'

/** The archive flags of one start, and what to do with its dump once the JVM has exited. */
export interface ClassArchive {
  flags: string[]
  /** After the JVM exited: keep the archive it dumped when it exited cleanly, else drop it. */
  settle(exit: ExitInfo | null): Promise<void>
}

export interface ClassArchiveOptions {
  /** the archives go to <cacheDir>/kafka/cds, beside the jars they were made from */
  cacheDir: string
  java: string
  /** "17.0.15": an archive is only valid for the JVM build that wrote it */
  javaVersion: string
  jars: string[]
  /** dump one when there is none (an attached broker, whose exit we see); else only use one */
  dump: boolean
}

// The JVM explains each class it cannot archive (old bytecode, log4j's proxies) on stdout: not a
// broker's warning, and the archive is made without them.
const QUIET = ['-Xlog:cds=off', '-Xlog:cds+dynamic=off']
const PREFIX = 'broker-'
const NONE: ClassArchive = { flags: [], settle: async () => undefined }

/**
 * The archive's key: the JVM (its version and binary) and the jar set (paths, sizes, times). A
 * changed classpath or JVM gets a new archive rather than a stale one: the JVM would refuse a
 * mismatched archive itself, but only after a warning, and without sharing.
 */
export async function classArchiveKey(
  o: Pick<ClassArchiveOptions, 'java' | 'javaVersion' | 'jars'>,
): Promise<string> {
  // The launcher's path and time: a JVM update of the same version string (a new distro build).
  const java = await realpath(o.java).catch(() => o.java)
  const javaTime = await stat(java).then(
    (s) => Math.trunc(s.mtimeMs),
    () => null,
  )
  const jars = await Promise.all(
    o.jars.map(async (j) => {
      const s = await stat(j)
      return [j, s.size, Math.trunc(s.mtimeMs)]
    }),
  )
  return createHash('sha256')
    .update(JSON.stringify([o.javaVersion, java, javaTime, jars]))
    .digest('hex')
    .slice(0, 16)
}

export async function classArchive(o: ClassArchiveOptions): Promise<ClassArchive> {
  const dir = join(o.cacheDir, 'kafka', 'cds')
  let file: string
  try {
    file = join(dir, `${PREFIX}${await classArchiveKey(o)}.jsa`)
  } catch {
    return NONE // a jar we cannot stat: the start will say why, not this optimisation
  }
  if (existsSync(file)) return { flags: [`-XX:SharedArchiveFile=${file}`, ...QUIET], settle: NONE.settle }
  if (!o.dump) return NONE
  // A private name, renamed into place only after a clean exit: a killed JVM leaves half a file.
  await mkdir(dir, { recursive: true })
  const partial = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.partial`
  return {
    flags: [`-XX:ArchiveClassesAtExit=${partial}`, ...QUIET],
    async settle(exit) {
      const clean = exit !== null && exit.signal === null && (exit.code === 0 || exit.code === 143)
      try {
        if (!clean || !existsSync(partial)) return
        await rename(partial, file)
        // One archive per cache: those of a former JVM or jar set, or a dump whose Tickflow died,
        // would only take space (50 MB each).
        for (const name of await readdir(dir))
          if (name.startsWith(PREFIX) && name !== basename(file) && !dumpInProgress(name))
            await rm(join(dir, name), { force: true })
      } catch {
        // An archive is an optimisation: without it the next start reads the jars, as before.
      } finally {
        await rm(partial, { force: true }).catch(() => undefined)
      }
    },
  }
}

/** A partial dump of a Tickflow process that still runs (its pid is in the name). */
function dumpInProgress(name: string): boolean {
  const pid = /\.(\d+)-[0-9a-f]+\.partial$/.exec(name)?.[1]
  if (!pid) return false
  try {
    process.kill(Number(pid), 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
