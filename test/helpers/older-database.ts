import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type pg from 'pg'
import { inject } from 'vitest'
import { createPool } from '../../src/main/postgres/database'
import { migrate, parseMigrationFileName, resolveSqlDir } from '../../src/main/postgres/migrate'
import { dropTestSchema } from '../setup/test-database'

export interface OlderDatabase {
  pool: pg.Pool
  /** the highest migration applied: the last one before `before` */
  version: number
  /** the folder of those migrations, to which a test may copy the next one alone */
  sqlDir: string
  close(): Promise<void>
}

/**
 * The run's PostgreSQL on a schema migrated only up to the migration before `before`, as a database
 * of an earlier release has it, so that a test can seed rows and then apply the rest.
 */
export async function olderDatabase(schema: string, before: number): Promise<OlderDatabase> {
  const dir = await mkdtemp(path.join(tmpdir(), `tickflow-sql-before-${before}-`))
  const sqlDir = resolveSqlDir()
  for (const f of await readdir(sqlDir)) {
    const v = parseMigrationFileName(f)?.version
    if (v !== undefined && v < before) await copyFile(path.join(sqlDir, f), path.join(dir, f))
  }
  const pool = createPool(inject('databaseUrl'), schema)
  const close = async (): Promise<void> => {
    await pool.end()
    await dropTestSchema(schema)
    await rm(dir, { recursive: true, force: true })
  }
  try {
    const { version } = await migrate(pool, { schema, sqlDir: dir })
    return { pool, version, sqlDir: dir, close }
  } catch (err) {
    await close()
    throw err
  }
}
