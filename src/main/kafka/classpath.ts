import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { basename, delimiter, join } from 'node:path'
import { createInterface } from 'node:readline'
import { defaultCacheDir, kafkaResourcesDir } from './paths'
import { checkMaven } from './prereqs'

export interface ResolveOptions {
  /** Directory with pom.xml; defaults to the bundled resources/kafka. */
  resourcesDir?: string
  /** Cache root; defaults to $XDG_CACHE_HOME/tickflow. Jars go to <root>/kafka/<pom hash>/libs. */
  cacheDir?: string
  onProgress?: (msg: string) => void
}

export interface BrokerClasspath {
  /** Absolute jar paths joined with the platform delimiter, ready for `java -cp`. */
  classpath: string
  jars: string[]
  dir: string
  /** True when this call ran Maven, false when it came from the cache. */
  resolved: boolean
}

const CLASSPATH_FILE = 'classpath.txt'

export function pomHash(pom: string): string {
  return createHash('sha256').update(pom).digest('hex').slice(0, 16)
}

/** Summarises one Maven transfer line for progress output; undefined for every other line. */
export function parseMavenDownload(line: string): string | undefined {
  const m = /^(?:\[INFO\] )?Downloaded from [^:]+: (\S+) \(([^)]*?)(?: at [^)]*)?\)/.exec(line.trim())
  if (!m?.[1] || !m[1].endsWith('.jar')) return undefined
  return `downloaded ${basename(m[1])} (${m[2]})`
}

/** Picks the line that explains a Maven failure, so the thrown error stays one line. */
export function mavenFailureReason(lines: string[]): string {
  const errors = lines
    .map((l) => l.trim())
    .filter((l) => l.startsWith('[ERROR]'))
    .map((l) => l.replace(/^\[ERROR\]\s*/, ''))
    .filter((l) => l && !l.startsWith('->') && !/^(To see|Re-run|For more|\[Help)/.test(l))
  const reason = errors[0] ?? lines.filter((l) => l.trim()).at(-1) ?? 'no output'
  return reason.length > 300 ? `${reason.slice(0, 297)}...` : reason
}

async function readCached(dir: string): Promise<string[] | undefined> {
  try {
    const jars = (await readFile(join(dir, CLASSPATH_FILE), 'utf8')).split('\n').filter(Boolean)
    // A half-deleted cache must not produce a broker that dies with NoClassDefFoundError.
    return jars.length > 0 && jars.every((j) => existsSync(j)) ? jars : undefined
  } catch {
    return undefined
  }
}

function runMaven(args: string[], onLine: (line: string) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    createInterface({ input: child.stdout }).on('line', onLine)
    createInterface({ input: child.stderr }).on('line', onLine)
    child.on('error', reject)
    child.on('close', (code) => resolve(code ?? 1))
  })
}

/**
 * Resolves the broker's jars with Maven into a cache keyed by the pom's hash. The first call downloads
 * them (~45 MB); later calls only read classpath.txt, so they are instant and work offline. The jars
 * are copied out of ~/.m2 so that cleaning the Maven repository does not break the broker.
 */
export async function resolveBrokerClasspath(opts: ResolveOptions = {}): Promise<BrokerClasspath> {
  const progress = opts.onProgress ?? ((): void => {})
  const resourcesDir = opts.resourcesDir ?? kafkaResourcesDir()
  const pomPath = join(resourcesDir, 'pom.xml')
  const root = join(opts.cacheDir ?? defaultCacheDir(), 'kafka')
  const dir = join(root, pomHash(await readFile(pomPath, 'utf8')))

  const cached = await readCached(dir)
  if (cached) return { classpath: cached.join(delimiter), jars: cached, dir, resolved: false }

  await checkMaven()
  progress('Resolving Kafka broker jars with Maven (the first run downloads about 45 MB)')
  const started = Date.now()
  await mkdir(root, { recursive: true })
  // Resolve into a private directory and rename it into place, so concurrent resolves never see
  // each other's half-copied jars.
  const tmp = join(root, `.partial-${process.pid}-${randomBytes(4).toString('hex')}`)
  const lines: string[] = []
  try {
    const code = await runMaven(
      [
        '-B',
        '-Dstyle.color=never',
        '-f',
        pomPath,
        'dependency:copy-dependencies',
        '-DincludeScope=runtime',
        `-DoutputDirectory=${join(tmp, 'libs')}`,
      ],
      (line) => {
        lines.push(line)
        if (lines.length > 400) lines.shift()
        const msg = parseMavenDownload(line)
        if (msg) progress(msg)
      },
    )
    if (code !== 0) throw new Error(`Maven could not resolve the Kafka jars: ${mavenFailureReason(lines)}`)

    const names = (await readdir(join(tmp, 'libs'))).filter((n) => n.endsWith('.jar')).sort()
    if (names.length === 0) throw new Error('Maven resolved no Kafka jars: check resources/kafka/pom.xml')
    const finalJars = names.map((n) => join(dir, 'libs', n))
    await writeFile(join(tmp, CLASSPATH_FILE), finalJars.join('\n') + '\n')
    try {
      await rename(tmp, dir)
    } catch (err) {
      // Another process finished first (or an invalid leftover is in the way): prefer a valid one.
      const winner = await readCached(dir)
      if (winner) return { classpath: winner.join(delimiter), jars: winner, dir, resolved: false }
      await rm(dir, { recursive: true, force: true })
      await rename(tmp, dir).catch(() => {
        throw err
      })
    }
    let bytes = 0
    for (const j of finalJars) bytes += (await stat(j)).size
    const secs = ((Date.now() - started) / 1000).toFixed(1)
    progress(`Kafka broker jars ready: ${names.length} jars, ${(bytes / 1e6).toFixed(1)} MB, in ${secs} s`)
    return { classpath: finalJars.join(delimiter), jars: finalJars, dir, resolved: true }
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
}
