import { randomBytes } from 'node:crypto'
import os from 'node:os'
import pg from 'pg'
import { inject } from 'vitest'
import { openDatabase, type Database } from '../../src/main/postgres/database'

/** A fresh schema name per call: tests share one server and must not see each other's rows. */
export function uniqueSchemaName(prefix = 't'): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`
}

/**
 * Opens the run's PostgreSQL (see test/setup/postgres.ts) on a new, migrated schema that close()
 * drops again.
 */
export async function openTestDatabase(opts: { schema?: string } = {}): Promise<Database> {
  const schema = opts.schema ?? uniqueSchemaName()
  const db = await openDatabase({ databaseUrl: inject('databaseUrl'), dataDir: os.tmpdir(), schema })
  const close = db.close
  return {
    ...db,
    close: async () => {
      try {
        await db.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      } finally {
        await close()
      }
    },
  }
}

/** Drops a schema that something else (the CLI, the services) created for a test. */
export async function dropTestSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') })
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  } finally {
    await client.end()
  }
}
