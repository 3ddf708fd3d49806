// The first step of `npm test`: what the suite needs from the machine, checked in seconds, so that
// a missing piece is named at once with its remedy rather than half an hour in, by the test that
// happens to need it first. Run: npx tsx test/setup/preflight.ts
import { existsSync, accessSync, constants } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { checkJava, checkMaven } from '../../src/main/kafka/jars/prereqs'

export interface Missing {
  what: string
  fix: string
}

const MIN_NODE = [22, 12] as const
const MIN_POSTGRES = 150_000 // server_version_num of PostgreSQL 15

/** Debian's chromium (apt); CHROMIUM_PATH points elsewhere. The e2e tests launch the same path. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env['CHROMIUM_PATH'] || '/usr/bin/chromium'
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

export function nodeMissing(version: string): Missing | undefined {
  const [major = 0, minor = 0] = version.split('.').map(Number)
  if (major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1])) return undefined
  return {
    what: `Node ${MIN_NODE.join('.')}+ (found ${version})`,
    fix: 'export PATH="$(bash scripts/node-lts.sh):$PATH" fetches Node 24 LTS from the npm registry',
  }
}

async function postgresMissing(url: string): Promise<Missing | undefined> {
  const what = 'PostgreSQL 15+ at DATABASE_URL (the second integration pass)'
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 })
  try {
    await client.connect()
    const { rows } = await client.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`)
    const version = Number(rows[0]?.v)
    if (version >= MIN_POSTGRES) return undefined
    return { what: `${what}: found ${version}`, fix: 'point DATABASE_URL at PostgreSQL 15 or newer' }
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err)
    return {
      what: `${what}: cannot connect (${why})`,
      fix: 'sudo apt-get install -y postgresql and start it, or unset DATABASE_URL to test on embedded PostgreSQL only',
    }
  } finally {
    await client.end().catch(() => undefined) // never connected: nothing to close
  }
}

/** Every piece the suite needs that this machine lacks, each with how to get it. */
export async function findMissing(env: NodeJS.ProcessEnv = process.env): Promise<Missing[]> {
  const missing: Missing[] = []
  const node = nodeMissing(process.versions.node)
  if (node) missing.push(node)
  await checkJava(env).catch(() =>
    missing.push({
      what: 'Java 17+ (the local Kafka broker that the integration tests start)',
      fix: 'sudo apt-get install -y openjdk-17-jre-headless, or set JAVA_HOME',
    }),
  )
  await checkMaven(env).catch(() =>
    missing.push({
      what: 'Maven 3.6.3+ (test/jar-fetch.int.test.ts: the jars\u2019 fallback when their repository is down)',
      fix: 'sudo apt-get install -y maven (the jars themselves come from Maven Central, or a mirror named by TICKFLOW_MAVEN_REPO)',
    }),
  )
  const chromium = chromiumPath(env)
  if (!existsSync(chromium) || !executable(chromium))
    missing.push({
      what: `Chromium at ${chromium} (the browser tests)`,
      fix: 'sudo apt-get install -y chromium, or set CHROMIUM_PATH to a Chromium or Chrome binary',
    })
  const url = env['DATABASE_URL']
  if (url) {
    const pgMissing = await postgresMissing(url)
    if (pgMissing) missing.push(pgMissing)
  }
  return missing
}

export function describeMissing(missing: Missing[]): string {
  return [
    'npm test: this machine lacks what the test suite needs:',
    ...missing.map((m) => `  - ${m.what}\n      ${m.fix}`),
    'bash .ci/run installs all of it on Ubuntu or Debian, then runs npm test.',
  ].join('\n')
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const missing = await findMissing()
  if (missing.length > 0) {
    console.error(describeMissing(missing))
    process.exit(1)
  }
  console.log(
    'preflight: Node, Java, Maven, Chromium' + (process.env['DATABASE_URL'] ? ', PostgreSQL' : '') + ' found',
  )
}
