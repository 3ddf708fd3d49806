import pg from 'pg'
import type { CommandRequest, ConnectionTest } from '../../shared/contract'
import { createKafka, parseBrokerList, type KafkaConnection } from '../kafka/client'
import { withHandshakeHint } from '../kafka/handshake-hint'
import { describeConnectError, describeTarget, passwordOf } from '../postgres/database'

const TIMEOUT_MS = 5_000

/** What the app is configured with: its cluster, and its database's URL. */
export interface ConfiguredConnections {
  kafka: Pick<KafkaConnection, 'brokers' | 'ssl' | 'sasl'>
  databaseUrl?: string
}

/** "Test connection" in the dashboard: can we reach this cluster or server now? Never throws. */
export async function testConnection(
  req: CommandRequest<'testConnection'>,
  configured: ConfiguredConnections = { kafka: { brokers: [] } },
): Promise<ConnectionTest> {
  return req.kind === 'kafka'
    ? testKafka(req.brokers, configured.kafka)
    : testPostgres(req.url, configured.databaseUrl)
}

async function testKafka(
  text: string,
  configured: Pick<KafkaConnection, 'brokers' | 'ssl' | 'sasl'>,
): Promise<ConnectionTest> {
  let brokers: string[]
  try {
    brokers = parseBrokerList(text)
  } catch (err) {
    return { ok: false, message: (err as Error).message }
  }
  // The configured TLS and SASL credentials go only to the configured cluster, never to a host
  // someone typed into the dashboard.
  const same = brokers.join(',') === configured.brokers.join(',')
  const base = same ? { ssl: configured.ssl, sasl: configured.sasl } : {}
  const admin = createKafka(
    { ...base, brokers, clientId: 'tickflow-connection-test' },
    // The user sees the answer; a refused probe is not an error of the running app.
    { connectionTimeoutMs: TIMEOUT_MS, retry: { retries: 0 }, appLog: false },
  ).admin()
  try {
    await withTimeout(admin.connect(), `no answer from ${brokers.join(', ')} within 5 s`)
    const cluster = await withTimeout(
      admin.describeCluster(),
      'the cluster did not describe itself within 5 s',
    )
    const n = cluster.brokers.length
    return {
      ok: true,
      message: `connected to Kafka cluster ${cluster.clusterId}: ${n} broker${n === 1 ? '' : 's'}`,
    }
  } catch (err) {
    const message = `cannot reach Kafka at ${brokers.join(', ')}: ${(err as Error).message}`
    return { ok: false, message: withHandshakeHint(message, err, base) }
  } finally {
    // The test's answer is already made; a failed disconnect loses nothing the user needs.
    await admin.disconnect().catch(() => undefined)
  }
}

/**
 * Why a typed URL must not be tried, or null. The pg client sends PGPASSWORD (or ~/.pgpass) to any
 * host whose URL has no password, and reads the files that ?sslcert=, sslkey= and sslrootcert=
 * name. A client of the dashboard may not make it do either: only the configured database's host
 * gets credentials it did not type, or parameters (the rule the Kafka test follows).
 */
export function refusePostgresUrl(url: string, configuredUrl?: string): string | null {
  if (!URL.canParse(url)) return 'not a URL: postgres://user:password@host:5432/database'
  const u = new URL(url)
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')
    return `not a PostgreSQL URL (${u.protocol}): postgres://user:password@host:5432/database`
  const where = (x: URL): string => `${x.hostname.toLowerCase()}:${x.port || '5432'}`
  const configured = URL.canParse(configuredUrl ?? '') ? new URL(configuredUrl!) : null
  if (configured && u.hostname !== '' && where(u) === where(configured)) return null
  if (u.hostname === '') return 'give the host in the URL: postgres://user:password@host:5432/database'
  if (u.search !== '')
    return 'URL parameters are taken for the configured database only: leave out the part from "?"'
  if (u.username === '' || u.password === '')
    return (
      'give the user and password in the URL: a server other than the configured one gets no ' +
      'password from the environment or ~/.pgpass'
    )
  return null
}

async function testPostgres(url: string, configuredUrl?: string): Promise<ConnectionTest> {
  const refused = refusePostgresUrl(url, configuredUrl)
  if (refused) return { ok: false, message: `not tried: ${refused}` }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: TIMEOUT_MS })
  // An error after connect (the server going away) must not become an uncaught 'error' event.
  client.on('error', () => undefined)
  try {
    await client.connect()
    const { rows } = await client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)
    return { ok: true, message: `connected to PostgreSQL ${rows[0]?.v ?? '?'} at ${describeTarget(url)}` }
  } catch (err) {
    return {
      ok: false,
      message: `cannot connect to ${describeTarget(url)}: ${describeConnectError(err, passwordOf(url))}`,
    }
  } finally {
    // The test's answer is already made; a failed end loses nothing the user needs.
    await client.end().catch(() => undefined)
  }
}

function withTimeout<T>(p: Promise<T>, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), TIMEOUT_MS)
  })
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer))
}
