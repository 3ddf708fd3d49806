// Maven's part: it makes the lock (`npm run kafka -- lock`) and is the last resort when the jars
// cannot be fetched over HTTPS.
import { spawn } from 'node:child_process'
import { basename } from 'node:path'
import { createInterface } from 'node:readline'
import { checkMaven } from './prereqs'

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

function runMaven(args: string[], onLine: (line: string) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    createInterface({ input: child.stdout }).on('line', onLine)
    createInterface({ input: child.stderr }).on('line', onLine)
    child.on('error', reject)
    child.on('close', (code) => resolve(code ?? 1))
  })
}

export interface MavenCopyOptions {
  /** Nest jars as group/artifact/version/file (to read their coordinates) rather than flat. */
  repositoryLayout?: boolean
  onProgress?: (msg: string) => void
}

/** Copies the pom's runtime jars into outDir with `mvn dependency:copy-dependencies`. */
export async function mavenCopyDependencies(
  pomPath: string,
  outDir: string,
  opts: MavenCopyOptions = {},
): Promise<void> {
  await checkMaven()
  const lines: string[] = []
  const code = await runMaven(
    [
      '-B',
      '-Dstyle.color=never',
      '-f',
      pomPath,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-Dmdep.useRepositoryLayout=${opts.repositoryLayout ? 'true' : 'false'}`,
      `-DoutputDirectory=${outDir}`,
    ],
    (line) => {
      lines.push(line)
      if (lines.length > 400) lines.shift()
      const msg = parseMavenDownload(line)
      if (msg) opts.onProgress?.(msg)
    },
  )
  if (code !== 0) throw new Error(`Maven could not resolve the Kafka jars: ${mavenFailureReason(lines)}`)
}
