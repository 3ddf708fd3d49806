// `npm run kafka -- lock`: resolves pom.xml with Maven and pins the result in jars.lock.json, each
// jar's SHA-1 cross-checked with the one the Maven repository publishes. A version bump is an edit
// of pom.xml and this one command.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import { writeFileAtomic } from '../../base/atomic-file'
import {
  jarFileName,
  jarUrl,
  LOCK_FILE,
  parseJarLock,
  sha256Hex,
  type JarEntry,
  type JarLock,
} from './jar-lock'
import { mavenCopyDependencies } from './jar-maven'
import { fileDigests, JarIntegrityError } from './jar-verify'

type Coordinates = Pick<JarEntry, 'groupId' | 'artifactId' | 'version' | 'classifier' | 'file'>

/** Reads coordinates from a repository-layout path such as org/slf4j/slf4j-api/1.7.36/slf4j-api-1.7.36.jar. */
export function coordinatesFromPath(path: string): Coordinates {
  const parts = path.split(/[\\/]/)
  const [file, version, artifactId] = [parts.at(-1), parts.at(-2), parts.at(-3)]
  const groupId = parts.slice(0, -3).join('.')
  const stem = `${artifactId}-${version}`
  if (!file || !version || !artifactId || !groupId || !file.endsWith('.jar') || !file.startsWith(stem)) {
    throw new Error(`not a repository-layout jar path: ${path}`)
  }
  const rest = file.slice(stem.length, -'.jar'.length)
  if (rest && !rest.startsWith('-')) throw new Error(`not a repository-layout jar path: ${path}`)
  const classifier = rest ? rest.slice(1) : undefined
  const c = { groupId, artifactId, version, ...(classifier ? { classifier } : {}) }
  return { ...c, file: jarFileName(c) }
}

async function listJars(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true })
  return entries.filter((e) => e.endsWith('.jar')).map((e) => join(dir, e))
}

/** The SHA-1 the repository publishes next to a jar (`<hash>` or `<hash>  <file>`). */
async function publishedSha1(url: string): Promise<string> {
  const res = await fetch(`${url}.sha1`, { signal: AbortSignal.timeout(30_000) })
  if (!res.ok) throw new Error(`GET ${url}.sha1: HTTP ${res.status}`)
  const hash = (await res.text()).trim().split(/\s+/)[0]?.toLowerCase() ?? ''
  if (!/^[0-9a-f]{40}$/.test(hash)) throw new Error(`${url}.sha1 holds no SHA-1`)
  return hash
}

export interface WriteLockOptions {
  resourcesDir: string
  repository: string
  onProgress?: (msg: string) => void
}

/** Writes <resourcesDir>/jars.lock.json from a fresh Maven resolve and returns the lock. */
export async function writeJarLock(opts: WriteLockOptions): Promise<JarLock> {
  const progress = opts.onProgress ?? ((): void => {})
  const pomPath = join(opts.resourcesDir, 'pom.xml')
  const pom = await readFile(pomPath)
  const out = await mkdtemp(join(tmpdir(), 'tickflow-jar-lock-'))
  try {
    progress(`Resolving ${pomPath} with Maven`)
    await mavenCopyDependencies(pomPath, out, { repositoryLayout: true, onProgress: progress })
    const paths = await listJars(out)
    const jars: JarEntry[] = []
    for (const path of paths) {
      const coords = coordinatesFromPath(relative(out, path).split(sep).join('/'))
      const digests = await fileDigests(path)
      const entry = { ...coords, ...digests }
      const published = await publishedSha1(jarUrl(opts.repository, entry))
      if (published !== digests.sha1) {
        throw new JarIntegrityError(
          `${entry.file}: Maven's copy has SHA-1 ${digests.sha1}, ${opts.repository} publishes ${published}`,
        )
      }
      jars.push(entry)
    }
    jars.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
    const lock: JarLock = {
      $comment: 'Generated from pom.xml by `npm run kafka -- lock`; do not edit by hand.',
      pomSha256: sha256Hex(pom),
      jars,
    }
    const text = `${JSON.stringify(lock, null, 2)}\n`
    parseJarLock(text) // what we write must be what we accept
    const target = join(opts.resourcesDir, LOCK_FILE)
    // 0o644: a file of the repository, read by everyone who builds
    await writeFileAtomic(target, text, { mode: 0o644 })
    const mb = (jars.reduce((s, j) => s + j.size, 0) / 1e6).toFixed(1)
    progress(`Pinned ${jars.length} jars (${mb} MB) in ${target}`)
    return lock
  } finally {
    await rm(out, { recursive: true, force: true })
  }
}
