// resources/kafka/jars.lock.json: the broker's jars pinned by coordinates, size and hashes. It is
// generated from the Maven resolve of pom.xml (`npm run kafka -- lock`) and read on every start.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'

export const LOCK_FILE = 'jars.lock.json'
export const DEFAULT_MAVEN_REPOSITORY = 'https://repo1.maven.org/maven2'
export const RELOCK_HINT = 'run `npm run kafka -- lock`'

// Starts with a letter or digit and holds no slash, so neither a file name nor a URL built from it
// can climb out of its directory.
const coordinate = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'not a Maven coordinate')

const JarEntrySchema = z
  .object({
    groupId: coordinate,
    artifactId: coordinate,
    version: coordinate.refine((v) => !v.endsWith('-SNAPSHOT'), 'a SNAPSHOT cannot be pinned'),
    classifier: coordinate.optional(),
    file: z.string(),
    size: z.number().int().positive(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'not a lowercase SHA-256'),
    sha1: z.string().regex(/^[0-9a-f]{40}$/, 'not a lowercase SHA-1'),
  })
  .strict()
  .refine((j) => j.file === jarFileName(j), {
    message: 'file must be <artifactId>-<version>[-<classifier>].jar',
    path: ['file'],
  })

const JarLockSchema = z
  .object({
    $comment: z.string().optional(),
    pomSha256: z.string().regex(/^[0-9a-f]{64}$/, 'not a lowercase SHA-256'),
    jars: z.array(JarEntrySchema).min(1),
  })
  .strict()
  .superRefine((lock, ctx) => {
    const seen = new Set<string>()
    lock.jars.forEach((j, i) => {
      if (seen.has(j.file))
        ctx.addIssue({ code: 'custom', message: 'duplicate file', path: ['jars', i, 'file'] })
      seen.add(j.file)
    })
  })

export type JarEntry = z.infer<typeof JarEntrySchema>
export type JarLock = z.infer<typeof JarLockSchema>

/** The name Maven's copy-dependencies gives a jar, which is also its name in the repository. */
export function jarFileName(j: { artifactId: string; version: string; classifier?: string }): string {
  return `${j.artifactId}-${j.version}${j.classifier ? `-${j.classifier}` : ''}.jar`
}

/** Parses and validates a lock file's text; the error names the first bad field. */
export function parseJarLock(text: string): JarLock {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new Error(`${LOCK_FILE} is not JSON (${(err as Error).message}): ${RELOCK_HINT}`, { cause: err })
  }
  const parsed = JarLockSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.length ? issue.path.join('.') : 'top level'
    throw new Error(`${LOCK_FILE} is invalid at ${where}: ${issue?.message ?? 'unknown'}`)
  }
  return parsed.data
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

/** Names the pinned set, so a cache of one set is never taken for another. */
export function lockKey(lock: JarLock): string {
  const lines = lock.jars.map((j) => `${j.file} ${j.sha256}`).sort()
  return sha256Hex(lines.join('\n')).slice(0, 16)
}

/**
 * Reads resourcesDir's lock and checks it was made from the pom beside it: an edited pom with an
 * old lock would otherwise start a broker other than the one the pom describes.
 */
export async function readJarLock(resourcesDir: string): Promise<JarLock> {
  const lock = parseJarLock(await readFile(join(resourcesDir, LOCK_FILE), 'utf8'))
  const pom = await readFile(join(resourcesDir, 'pom.xml'))
  if (sha256Hex(pom) !== lock.pomSha256) {
    throw new Error(`resources/kafka/pom.xml changed since ${LOCK_FILE} was made: ${RELOCK_HINT}`)
  }
  return lock
}

/**
 * The Maven repository to fetch from: $TICKFLOW_MAVEN_REPO (a mirror) or Maven Central. HTTPS only,
 * except plain HTTP on the loopback interface (a local mirror); the pinned hashes guard the content.
 */
export function mavenRepository(env: Record<string, string | undefined> = process.env): string {
  const raw = env.TICKFLOW_MAVEN_REPO?.trim() || DEFAULT_MAVEN_REPOSITORY
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new Error(`TICKFLOW_MAVEN_REPO is not a URL: ${raw}`)
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new Error(`TICKFLOW_MAVEN_REPO must be an https:// URL: ${raw}`)
  }
  if (url.username || url.password) throw new Error('TICKFLOW_MAVEN_REPO must not hold credentials')
  return url.href.replace(/\/+$/, '')
}

/** The jar's address in a Maven repository (the standard layout). */
export function jarUrl(repository: string, j: JarEntry): string {
  const group = j.groupId.split('.').join('/')
  return `${repository.replace(/\/+$/, '')}/${group}/${j.artifactId}/${j.version}/${j.file}`
}
