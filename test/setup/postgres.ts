import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { startEmbeddedPostgres } from '../../src/main/postgres/embedded'
import { describeConnectError, describeTarget } from '../../src/main/postgres/database'

/**
 * One PostgreSQL per integration run. TICKFLOW_TEST_PG=external uses DATABASE_URL (CI's or a
 * developer's server); anything else starts an embedded server in a temp dir, removed afterwards.
 * Tests isolate themselves by schema (test/setup/test-database.ts).
 */
export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  if (process.env['TICKFLOW_TEST_PG'] === 'external') {
    const url = process.env['DATABASE_URL']
    if (!url)
      throw new Error(
        'TICKFLOW_TEST_PG=external needs DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/postgres',
      )
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 })
    try {
      await client.connect()
      await client.query('SELECT 1')
    } catch (err) {
      throw new Error(
        `DATABASE_URL: cannot connect to ${describeTarget(url)}: ${describeConnectError(err)}`,
        {
          cause: err,
        },
      )
    } finally {
      await client.end().catch(() => undefined)
    }
    provide('databaseUrl', url)
    provide('postgresKind', 'external')
    return async () => {}
  }

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tickflow-pg-'))
  // As root the server runs as the postgres user, which must be able to enter the dir.
  await fs.chmod(dir, 0o755)
  const t0 = Date.now()
  const server = await startEmbeddedPostgres({ dataDir: dir, fast: true }).catch(async (err: unknown) => {
    await fs.rm(dir, { recursive: true, force: true })
    throw err
  })
  if (process.env['TICKFLOW_TEST_VERBOSE'])
    console.log(`embedded PostgreSQL up in ${Date.now() - t0} ms on port ${server.port}`)
  provide('databaseUrl', server.url)
  provide('postgresKind', 'embedded')
  return async () => {
    await server.stop()
    await fs.rm(dir, { recursive: true, force: true })
  }
}
