import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { openTestDatabase, uniqueSchemaName } from '../../../test/setup/test-database'
import { openDatabase, type Database } from './database'
import { loadMigrations, migrate, resolveSqlDir } from './migrate'

describe('migrations', () => {
  let db: Database
  beforeAll(async () => {
    db = await openTestDatabase()
  })
  afterAll(async () => {
    await db?.close()
  })

  it('apply every file once, recorded with its checksum', async () => {
    const files = await loadMigrations(resolveSqlDir())
    const { rows } = await db.pool.query(
      'SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version',
    )
    expect(rows.map((r) => [r.version, r.name, r.checksum])).toEqual(
      files.map((f) => [f.version, f.name, f.checksum]),
    )
    expect(typeof rows[0]?.applied_at).toBe('number')
    const tables = await db.pool.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`,
      [db.schema],
    )
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining([
        'trades',
        'thresholds',
        'rejects',
        'schema_migrations',
        'kpi_latency',
        'kpi_data_loss',
      ]),
    )
  })

  it('are idempotent: a second run applies nothing and changes nothing', async () => {
    const before = await db.pool.query('SELECT * FROM schema_migrations ORDER BY version')
    const result = await migrate(db.pool, { schema: db.schema })
    expect(result.applied).toEqual([])
    // (versions may have gaps: a branch numbers its migrations after one still being written elsewhere)
    expect(result.version).toBe(Math.max(...before.rows.map((r: { version: number }) => r.version)))
    const after = await db.pool.query('SELECT * FROM schema_migrations ORDER BY version')
    expect(after.rows).toEqual(before.rows)
    expect((await db.pool.query('SELECT count(*) AS n FROM thresholds')).rows[0].n).toBe(5)
  })

  it('pin search_path on every pooled connection', async () => {
    const clients = await Promise.all([db.pool.connect(), db.pool.connect(), db.pool.connect()])
    try {
      for (const c of clients) {
        expect((await c.query('SHOW search_path')).rows[0].search_path).toBe(db.schema)
        expect((await c.query('SELECT count(*) AS n FROM trades')).rows[0].n).toBe(0)
      }
    } finally {
      for (const c of clients) c.release()
    }
  })

  describe('with a copied sql dir', () => {
    let dir: string
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickflow-sql-'))
      fs.cpSync(resolveSqlDir(), dir, { recursive: true })
    })
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

    it('refuse an applied file whose checksum changed', async () => {
      const file = path.join(dir, '002_kpi_views.sql')
      const original = fs.readFileSync(file, 'utf8')
      fs.writeFileSync(file, original + '\n-- edited\n')
      try {
        await expect(migrate(db.pool, { schema: db.schema, sqlDir: dir })).rejects.toThrow(
          /002_kpi_views\.sql changed after it was applied/,
        )
      } finally {
        fs.writeFileSync(file, original)
      }
    })

    it('roll back a failing file completely and record nothing', async () => {
      const bad = path.join(dir, '099_bad.sql')
      fs.writeFileSync(bad, 'CREATE TABLE half_done (x int);\nSELECT 1 / 0;\n')
      try {
        await expect(migrate(db.pool, { schema: db.schema, sqlDir: dir })).rejects.toThrow(
          /migration sql\/099_bad\.sql failed: division by zero/,
        )
        const t = await db.pool.query(`SELECT to_regclass('half_done') AS t`)
        expect(t.rows[0].t).toBeNull()
        // Still at the last real migration: nothing of 099 was recorded.
        const latest = (await loadMigrations(resolveSqlDir())).at(-1)!.version
        const v = await db.pool.query('SELECT max(version) AS v FROM schema_migrations')
        expect(v.rows[0].v).toBe(latest)
      } finally {
        fs.rmSync(bad)
      }
    })

    it('refuse a database that is newer than the files', async () => {
      // the last migration (sql/ also holds a README)
      const last = fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.sql'))
        .sort()
        .at(-1)!
      fs.renameSync(path.join(dir, last), path.join(dir, last + '.off'))
      try {
        await expect(migrate(db.pool, { schema: db.schema, sqlDir: dir })).rejects.toThrow(
          /this build does not know/,
        )
      } finally {
        fs.renameSync(path.join(dir, last + '.off'), path.join(dir, last))
      }
    })
  })
})

describe('concurrent openDatabase on one new schema', () => {
  it('applies each migration exactly once', async () => {
    const schema = uniqueSchemaName('conc')
    const url = inject('databaseUrl')
    const progress: string[] = []
    const dbs = await Promise.all(
      Array.from({ length: 5 }, () =>
        openDatabase({ databaseUrl: url, dataDir: os.tmpdir(), schema, onProgress: (m) => progress.push(m) }),
      ),
    )
    try {
      const files = await loadMigrations(resolveSqlDir())
      expect(progress.filter((m) => m.startsWith('Applying migration'))).toHaveLength(files.length)
      const { rows } = await dbs[0]!.pool.query(
        'SELECT version, count(*) AS n FROM schema_migrations GROUP BY 1 ORDER BY 1',
      )
      expect(rows).toEqual(files.map((f) => ({ version: f.version, n: 1 })))
      expect((await dbs[4]!.pool.query('SELECT count(*) AS n FROM thresholds')).rows[0].n).toBe(5)
    } finally {
      await dbs[0]!.pool.query(`DROP SCHEMA "${schema}" CASCADE`)
      await Promise.all(dbs.map((d) => d.close()))
    }
  })
})
