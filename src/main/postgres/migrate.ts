import { createHash } from 'node:crypto'
import { existsSync, readdirSync } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type pg from 'pg'

/**
 * Applies sql/NNN_name.sql in numeric order, each in its own transaction, and records it in
 * <schema>.schema_migrations. A session advisory lock per schema serialises concurrent callers
 * (two app instances, parallel tests), and the schema is created under the same lock.
 */

export interface MigrationFile {
  version: number
  name: string
  fileName: string
  sql: string
  checksum: string
}

export interface MigrateOptions {
  schema: string
  /** default: resolveSqlDir() */
  sqlDir?: string
  onProgress?: (msg: string) => void
}

export interface MigrateResult {
  applied: MigrationFile[]
  /** highest version now in the database */
  version: number
}

const FILE_PATTERN = /^(\d{3,})_([a-z0-9][a-z0-9_-]*)\.sql$/
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/

export function assertSchemaName(schema: string): void {
  if (!SCHEMA_PATTERN.test(schema)) {
    throw new Error(`invalid schema name "${schema}": use lower-case letters, digits and _ (max 63)`)
  }
}

/** "001_schema.sql" → { version: 1, name: 'schema' }; null for a file that is not a migration. */
export function parseMigrationFileName(fileName: string): { version: number; name: string } | null {
  const m = FILE_PATTERN.exec(fileName)
  if (!m?.[1] || !m[2]) return null
  return { version: Number(m[1]), name: m[2] }
}

/** sha256 of the text with CRLF read as LF, so a Windows checkout does not look changed. */
export function checksumSql(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex')
}

/** Validates and orders migration files. Throws on a misnamed .sql file or a repeated version. */
export function orderMigrations(files: { fileName: string; sql: string }[]): MigrationFile[] {
  const out: MigrationFile[] = []
  const seen = new Map<number, string>()
  for (const { fileName, sql } of files) {
    if (!fileName.endsWith('.sql')) continue
    const parsed = parseMigrationFileName(fileName)
    if (!parsed)
      throw new Error(`sql/${fileName} is not named NNN_name.sql (lower case), so it would never run`)
    const other = seen.get(parsed.version)
    if (other) throw new Error(`sql/${fileName} and sql/${other} share version ${parsed.version}`)
    seen.set(parsed.version, fileName)
    out.push({ ...parsed, fileName, sql, checksum: checksumSql(sql) })
  }
  return out.sort((a, b) => a.version - b.version)
}

function looksLikeSqlDir(dir: string): boolean {
  try {
    return readdirSync(dir).some((f) => parseMigrationFileName(f) !== null)
  } catch {
    return false
  }
}

/**
 * Finds sql/: the explicit dir, else $TICKFLOW_SQL_DIR, else the packaged app's resources/sql,
 * else the nearest sql/ above this module (src/main/postgres in dev and tests, out/main when
 * electron-vite bundled it).
 */
export function resolveSqlDir(
  explicit?: string,
  from: string = path.dirname(fileURLToPath(import.meta.url)),
): string {
  const fixed = explicit ?? process.env['TICKFLOW_SQL_DIR']
  if (fixed) {
    if (!looksLikeSqlDir(fixed)) throw new Error(`no NNN_name.sql migrations in ${path.resolve(fixed)}`)
    return path.resolve(fixed)
  }
  const resources = (process as { resourcesPath?: string }).resourcesPath
  if (resources && looksLikeSqlDir(path.join(resources, 'sql'))) return path.join(resources, 'sql')
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'sql')
    if (existsSync(candidate) && looksLikeSqlDir(candidate)) return candidate
    if (dir === path.dirname(dir)) break
  }
  throw new Error(`cannot find the sql/ migrations above ${from}; set TICKFLOW_SQL_DIR`)
}

export async function loadMigrations(sqlDir: string): Promise<MigrationFile[]> {
  const names = (await fs.readdir(sqlDir)).sort()
  const files = await Promise.all(
    names
      .filter((f) => f.endsWith('.sql'))
      .map(async (fileName) => ({
        fileName,
        sql: await fs.readFile(path.join(sqlDir, fileName), 'utf8'),
      })),
  )
  return orderMigrations(files)
}

/** Two int4 keys for pg_advisory_lock, stable per schema. */
export function migrationLockKeys(schema: string): [number, number] {
  const h = createHash('sha256').update(`tickflow:migrate:${schema}`).digest()
  return [h.readInt32BE(0), h.readInt32BE(4)]
}

interface AppliedRow {
  version: number
  name: string
  checksum: string
}

/** Compares what the database has applied with the files; throws when history was rewritten. */
export function pendingMigrations(files: MigrationFile[], applied: AppliedRow[]): MigrationFile[] {
  const byVersion = new Map(files.map((f) => [f.version, f]))
  for (const row of applied) {
    const file = byVersion.get(row.version)
    if (!file) {
      throw new Error(
        `the database has migration ${row.version} (${row.name}) that this build does not know; is it older than the data?`,
      )
    }
    if (file.checksum !== row.checksum) {
      throw new Error(
        `sql/${file.fileName} changed after it was applied (checksum ${row.checksum.slice(0, 12)}… → ` +
          `${file.checksum.slice(0, 12)}…); add a new migration instead of editing an applied one`,
      )
    }
  }
  const done = new Set(applied.map((r) => r.version))
  return files.filter((f) => !done.has(f.version))
}

export async function migrate(pool: pg.Pool, opts: MigrateOptions): Promise<MigrateResult> {
  assertSchemaName(opts.schema)
  const files = await loadMigrations(resolveSqlDir(opts.sqlDir))
  const schema = `"${opts.schema}"`
  const client = await pool.connect()
  const [k1, k2] = migrationLockKeys(opts.schema)
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', [k1, k2])
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
      // Migrations use unqualified names; they land in the schema first on this search_path.
      await client.query(`SET search_path TO ${schema}`)
      await client.query(`CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz(3) NOT NULL DEFAULT now())`)
      const { rows } = await client.query<AppliedRow>(
        `SELECT version, name, checksum FROM ${schema}.schema_migrations ORDER BY version`,
      )
      const pending = pendingMigrations(files, rows)
      for (const file of pending) {
        opts.onProgress?.(`Applying migration ${file.fileName} to schema ${opts.schema}`)
        await client.query('BEGIN')
        try {
          await client.query(file.sql)
          await client.query(
            `INSERT INTO ${schema}.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)`,
            [file.version, file.name, file.checksum],
          )
          await client.query('COMMIT')
        } catch (err) {
          await client.query('ROLLBACK')
          throw new Error(`migration sql/${file.fileName} failed: ${(err as Error).message}`, { cause: err })
        }
      }
      const version = Math.max(0, ...rows.map((r) => r.version), ...pending.map((f) => f.version))
      return { applied: pending, version }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, $2)', [k1, k2])
    }
  } finally {
    // The session's search_path was changed here; do not hand that connection back to the pool.
    client.release(true)
  }
}
