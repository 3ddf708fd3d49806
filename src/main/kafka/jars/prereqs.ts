import { execFile } from 'node:child_process'
import { join } from 'node:path'

export const MIN_JAVA_MAJOR = 17
// maven-dependency-plugin 3.9 (pinned in pom.xml) refuses older Maven.
export const MIN_MAVEN = [3, 6, 3] as const

type Env = Record<string, string | undefined>

const ALTERNATIVE = 'or point Tickflow at an existing cluster with --brokers'

export interface JavaInfo {
  command: string
  major: number
  version: string
}

export interface MavenInfo {
  command: string
  version: string
}

/**
 * Parses `java -version` output (it goes to stderr). Handles both `1.8.0_381` and `17.0.15` / `21` /
 * `23-ea` styles. Returns undefined when no version string is found.
 */
export function parseJavaVersion(output: string): { major: number; version: string } | undefined {
  const m = /version "([^"]+)"/.exec(output)
  if (!m?.[1]) return undefined
  const version = m[1]
  const parts = /^(\d+)(?:\.(\d+))?/.exec(version)
  if (!parts?.[1]) return undefined
  const first = Number(parts[1])
  const major = first === 1 && parts[2] ? Number(parts[2]) : first
  return { major, version }
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g')

/** Parses `mvn -v` output ("Apache Maven 3.8.7 (...)"), ignoring the ANSI colour codes Maven adds. */
export function parseMavenVersion(output: string): number[] | undefined {
  const plain = output.replace(ANSI, '')
  const m = /Apache Maven (\d+)\.(\d+)\.(\d+)/.exec(plain)
  if (!m) return undefined
  return [Number(m[1]), Number(m[2]), Number(m[3])]
}

export function versionAtLeast(actual: readonly number[], min: readonly number[]): boolean {
  for (let i = 0; i < min.length; i++) {
    const a = actual[i] ?? 0
    const b = min[i] ?? 0
    if (a !== b) return a > b
  }
  return true
}

/** JAVA_HOME wins over PATH, as in Kafka's own scripts. */
export function javaCommand(env: Env = process.env): string {
  return env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java'
}

function run(
  command: string,
  args: string[],
  env: Env,
): Promise<{ stdout: string; stderr: string } | undefined> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 30_000, env }, (err, stdout, stderr) => {
      // A missing binary is "not found"; a non-zero exit with output is still parseable.
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') resolve(undefined)
      else if (err && !stdout && !stderr) resolve(undefined)
      else resolve({ stdout, stderr })
    })
  })
}

export async function checkJava(env: Env = process.env): Promise<JavaInfo> {
  const command = javaCommand(env)
  const out = await run(command, ['-version'], env)
  const parsed = out ? parseJavaVersion(out.stderr + out.stdout) : undefined
  if (!parsed) {
    throw new Error(
      `Java ${MIN_JAVA_MAJOR}+ not found (tried ${command}): install openjdk-17-jre-headless, ${ALTERNATIVE}`,
    )
  }
  if (parsed.major < MIN_JAVA_MAJOR) {
    throw new Error(
      `Java ${parsed.version} found but Kafka 4 needs ${MIN_JAVA_MAJOR}+: install openjdk-17-jre-headless (or set JAVA_HOME), ${ALTERNATIVE}`,
    )
  }
  return { command, ...parsed }
}

/**
 * Maven is needed only by `npm run kafka -- lock` and as the last resort when the pinned jars are
 * neither bundled, cached nor reachable over HTTPS; nothing else calls this check.
 */
export async function checkMaven(env: Env = process.env): Promise<MavenInfo> {
  const out = await run('mvn', ['-v', '-B'], env)
  const parsed = out ? parseMavenVersion(out.stdout + out.stderr) : undefined
  if (!parsed) {
    throw new Error(`Maven not found: install maven (the fallback for the Kafka jars), ${ALTERNATIVE}`)
  }
  const version = parsed.join('.')
  if (!versionAtLeast(parsed, MIN_MAVEN)) {
    throw new Error(`Maven ${version} is too old: install Maven ${MIN_MAVEN.join('.')}+, ${ALTERNATIVE}`)
  }
  return { command: 'mvn', version }
}
