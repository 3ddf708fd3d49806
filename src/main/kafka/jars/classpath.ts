// Finds the broker's jars, pinned by resources/kafka/jars.lock.json, in this order: the jars a
// packaged app bundles, the cache, HTTPS from a Maven repository, and Maven itself. Every jar is
// checked against the lock's hashes before it is used.
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { copyFile, mkdir, readdir, rename, rm } from 'node:fs/promises'
import { delimiter, dirname, join } from 'node:path'
import { fetchJarSet } from './jar-fetch'
import { lockKey, mavenRepository, readJarLock, RELOCK_HINT, type JarLock } from './jar-lock'
import { mavenCopyDependencies } from './jar-maven'
import { checkJarSet, JarIntegrityError, placeVerifiedJar } from './jar-verify'
import { defaultCacheDir } from '../../base/data-dirs'
import { bundledJarsDir, kafkaResourcesDir } from '../broker/paths'

export type JarSource = 'bundled' | 'cache' | 'https' | 'maven'

export interface ResolveOptions {
  /** Directory with pom.xml and jars.lock.json; defaults to the bundled resources/kafka. */
  resourcesDir?: string
  /** Cache root; defaults to $XDG_CACHE_HOME/tickflow. Jars go to <root>/kafka/jars-<lock key>. */
  cacheDir?: string
  /** A packaged app's jars; defaults to <resourcesPath>/kafka/lib, null to skip. */
  bundledDir?: string | null
  /** Maven repository base URL; defaults to $TICKFLOW_MAVEN_REPO or Maven Central. */
  repository?: string
  onProgress?: (msg: string) => void
}

export interface BrokerClasspath {
  /** Absolute jar paths joined with the platform delimiter, ready for `java -cp`. */
  classpath: string
  jars: string[]
  dir: string
  source: JarSource
  lock: JarLock
}

function result(dir: string, lock: JarLock, source: JarSource): BrokerClasspath {
  const jars = lock.jars.map((j) => join(dir, j.file))
  return { classpath: jars.join(delimiter), jars, dir, source, lock }
}

/**
 * Fills a private directory next to dir and renames it into place, so concurrent resolves never see
 * each other's half-written jars. A valid set another process put there first is kept.
 */
async function fillInto(dir: string, lock: JarLock, fill: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = join(dirname(dir), `.partial-${process.pid}-${randomBytes(4).toString('hex')}`)
  await mkdir(tmp, { recursive: true })
  try {
    await fill(tmp)
    try {
      await rename(tmp, dir)
    } catch (err) {
      if ((await checkJarSet(dir, lock)) === undefined) return
      // An invalid leftover is in the way: replace it.
      await rm(dir, { recursive: true, force: true })
      await rename(tmp, dir).catch(() => {
        throw err
      })
    }
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
}

/** Maven's copy of the set, accepted only if it is exactly the locked set. */
async function fillWithMaven(
  tmp: string,
  resourcesDir: string,
  lock: JarLock,
  progress: (m: string) => void,
): Promise<void> {
  const out = join(tmp, '.maven')
  await mavenCopyDependencies(join(resourcesDir, 'pom.xml'), out, { onProgress: progress })
  const resolved = (await readdir(out)).filter((n) => n.endsWith('.jar'))
  const locked = new Set(lock.jars.map((j) => j.file))
  const extra = resolved.filter((n) => !locked.has(n))
  const missing = [...locked].filter((n) => !resolved.includes(n))
  if (extra.length || missing.length) {
    const diff = [...extra.map((n) => `+${n}`), ...missing.map((n) => `-${n}`)].slice(0, 5).join(' ')
    throw new Error(`Maven resolved other jars than the lock (${diff}): ${RELOCK_HINT}`)
  }
  for (const entry of lock.jars) await placeVerifiedJar(join(out, entry.file), entry, join(tmp, entry.file))
  await rm(out, { recursive: true, force: true })
}

export async function resolveBrokerClasspath(opts: ResolveOptions = {}): Promise<BrokerClasspath> {
  const progress = opts.onProgress ?? ((): void => {})
  const resourcesDir = opts.resourcesDir ?? kafkaResourcesDir()
  const lock = await readJarLock(resourcesDir)

  const bundled = opts.bundledDir === undefined ? bundledJarsDir() : opts.bundledDir
  if (bundled && existsSync(bundled)) {
    const problem = await checkJarSet(bundled, lock)
    if (problem === undefined) return result(bundled, lock, 'bundled')
    progress(`The bundled Kafka jars in ${bundled} are unusable (${problem}); trying the cache`)
  }

  const dir = join(opts.cacheDir ?? defaultCacheDir(), 'kafka', `jars-${lockKey(lock)}`)
  if ((await checkJarSet(dir, lock)) === undefined) return result(dir, lock, 'cache')

  const repository = opts.repository ?? mavenRepository()
  try {
    await fillInto(dir, lock, (tmp) => fetchJarSet(lock, tmp, { repository, onProgress: progress }))
    return result(dir, lock, 'https')
  } catch (err) {
    // Other bytes than the pinned ones are an attack or a broken mirror: no fallback hides that.
    if (err instanceof JarIntegrityError)
      throw new JarIntegrityError(`${repository}: ${err.message}`, { cause: err })
    const reason = (err as Error).message
    progress(`Could not fetch the Kafka jars from ${repository} (${reason}); trying Maven`)
    try {
      await fillInto(dir, lock, (tmp) => fillWithMaven(tmp, resourcesDir, lock, progress))
    } catch (mavenErr) {
      throw new Error(`No Kafka jars: ${repository}: ${reason}; ${(mavenErr as Error).message}`, {
        cause: mavenErr,
      })
    }
    return result(dir, lock, 'maven')
  }
}

/**
 * Copies a resolved set to dest (for a packaged app's extraResources), verified, replacing whatever
 * dest held, so no stale jar of an older version rides along.
 */
export async function copyBrokerJars(cp: BrokerClasspath, dest: string): Promise<void> {
  await mkdir(dirname(dest), { recursive: true })
  const tmp = `${dest}.partial-${process.pid}`
  await rm(tmp, { recursive: true, force: true })
  await mkdir(tmp)
  try {
    for (const entry of cp.lock.jars) {
      const part = join(tmp, `${entry.file}.part`)
      await copyFile(join(cp.dir, entry.file), part)
      await placeVerifiedJar(part, entry, join(tmp, entry.file))
    }
    await rm(dest, { recursive: true, force: true })
    await rename(tmp, dest)
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
}
