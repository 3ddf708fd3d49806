import pg from 'pg'
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded'
import { assertSchemaName, migrate } from './migrate'
import { appLog } from '../log/logger'

/**
 * One pool per app (or per test), connected to DATABASE_URL or to the embedded server, with the
 * schema migrated. Value conventions of every query on this pool:
 * - timestamptz (and timestamp, read as UTC) → ms epoch number, so rows match the shared types;
 * - int8 (bigint, count(*)) → number; a value beyond 2^53 throws: cast it ::text in SQL;
 * - numeric → number (we store no exact decimals; avg(int) and extract() return numeric).
 */

export interface Database {
  pool: pg.Pool
  /** connection URL; holds the password, so log redactUrl(url) (log/redact.ts) instead */
  url: string
  schema: string
  embedded: boolean
  close(): Promise<void>
}

export interface OpenDatabaseOptions {
  /** external server; absent → embedded PostgreSQL under dataDir */
  databaseUrl?: string
  dataDir: string
  /** default 'public'; tests pass a unique name */
  schema?: string
  /** embedded server's port; default a free one */
  port?: number
  /** where the migrations are; default resolveSqlDir() */
  sqlDir?: string
  onProgress?: (msg: string) => void
}

const OID = { int8: 20, timestamp: 1114, timestamptz: 1184, numeric: 1700 }

function parseInt8(text: string): number {
  const n = Number(text)
  if (!Number.isSafeInteger(n))
    throw new RangeError(`int8 value ${text} does not fit a JS number; select it as ::text`)
  return n
}

function parseTimestamp(text: string): number {
  if (text === 'infinity') return Infinity
  if (text === '-infinity') return -Infinity
  return (pg.types.getTypeParser(OID.timestamptz, 'text')(text) as Date).getTime()
}

/** Type parsers of our pools; per pool, so other pg users in the process keep pg's defaults. */
export const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format === undefined || format === 'text') {
      if (oid === OID.int8) return parseInt8
      if (oid === OID.timestamptz) return parseTimestamp
      if (oid === OID.timestamp) return (text: string) => parseTimestamp(text + '+00')
      if (oid === OID.numeric) return (text: string) => Number(text)
    }
    return pg.types.getTypeParser(oid, format ?? 'text')
  }) as pg.CustomTypesConfig['getTypeParser'],
}

export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError'
  constructor(message: string) {
    super(message)
    // One line when printed: the cause is in the message, a stack adds nothing for the user.
    this.stack = `${this.name}: ${message}`
  }
}

/** "host:port/db": where we tried to connect, without credentials. */
export function describeTarget(url: string): string {
  try {
    const u = new URL(url)
    const host = u.hostname || process.env['PGHOST'] || 'localhost'
    return `${host}:${u.port || '5432'}${u.pathname}`
  } catch {
    return 'the configured server (unparsable URL)'
  }
}

/** A short cause for a failed connect; Node's AggregateError (IPv4 + IPv6) has no message. */
export function describeConnectError(err: unknown, password?: string): string {
  const e = err as { message?: string; code?: string; errors?: { message?: string }[] }
  let msg = e.message || e.errors?.[0]?.message || e.code || String(err)
  if (e.code && !msg.includes(e.code)) msg = `${e.code}: ${msg}`
  if (password) msg = msg.split(password).join('***')
  return msg.replace(/\s+/g, ' ').trim()
}

/** The password in a database URL, to scrub it from error messages. */
export function passwordOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined
  } catch {
    return undefined
  }
}

/**
 * `applicationName` tells this pool's sessions apart in pg_stat_activity; default 'tickflow'.
 * `connectTimeoutMs` bounds the wait for a connection (a free one or a new one); default 10 s.
 */
export function createPool(
  url: string,
  schema: string,
  opts: { applicationName?: string; connectTimeoutMs?: number } = {},
): pg.Pool {
  assertSchemaName(schema)
  const pool = new pg.Pool({
    connectionString: url,
    // Startup options pin these on every pooled connection, without an extra round trip.
    options: `-c search_path=${schema} -c TimeZone=UTC`,
    types: typeParsers,
    application_name: opts.applicationName ?? 'tickflow',
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
  })
  // A checked-out client whose server goes away emits 'error' besides failing its query, and pg
  // only listens while the client idles in the pool: unheard, that error would crash the process
  // (or the consumer thread). The failed query already tells its caller; the pool's own 'error'
  // covers idle clients, and the caller must listen to that one.
  pool.on('connect', (client) => client.on('error', () => undefined))
  return pool
}

export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  const schema = opts.schema ?? 'public'
  assertSchemaName(schema)
  let embedded: EmbeddedPostgres | undefined
  if (!opts.databaseUrl) {
    embedded = await startEmbeddedPostgres({
      dataDir: opts.dataDir,
      port: opts.port,
      onProgress: opts.onProgress,
    })
  }
  const url = opts.databaseUrl ?? embedded!.url
  const pool = createPool(url, schema)
  // An idle client's error (server restart) must not crash the process; the next query reports it.
  pool.on('error', (err) => opts.onProgress?.(`PostgreSQL connection lost: ${describeConnectError(err)}`))
  const cleanup = async (): Promise<void> => {
    // The server is stopped next all the same; a pool that would not end may explain a slow exit.
    await pool.end().catch((err: unknown) => appLog('postgres').debug({ err }, 'ending the pool failed'))
    await embedded?.stop()
  }
  try {
    const client = await pool.connect().catch((err: unknown) => {
      throw new DatabaseUnavailableError(
        `cannot connect to PostgreSQL at ${describeTarget(url)}: ${describeConnectError(err, passwordOf(url))}`,
      )
    })
    client.release()
    await migrate(pool, { schema, sqlDir: opts.sqlDir, onProgress: opts.onProgress })
  } catch (err) {
    await cleanup()
    throw err
  }
  let closing: Promise<void> | undefined
  return {
    pool,
    url,
    schema,
    embedded: embedded !== undefined,
    close: () => (closing ??= cleanup()),
  }
}
