import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  assertSchemaName,
  checksumSql,
  loadMigrations,
  migrationLockKeys,
  orderMigrations,
  parseMigrationFileName,
  pendingMigrations,
  resolveSqlDir,
} from './migrate'

describe('parseMigrationFileName', () => {
  it('reads version and name', () => {
    expect(parseMigrationFileName('001_schema.sql')).toEqual({ version: 1, name: 'schema' })
    expect(parseMigrationFileName('0120_kpi-views_2.sql')).toEqual({ version: 120, name: 'kpi-views_2' })
  })
  it('rejects what is not NNN_name.sql', () => {
    for (const f of [
      '1_x.sql',
      '001-x.sql',
      '001_.sql',
      '001_X.sql',
      '001_x.SQL',
      'readme.md',
      '001_x.sql.bak',
    ]) {
      expect(parseMigrationFileName(f), f).toBeNull()
    }
  })
})

describe('orderMigrations', () => {
  it('sorts numerically, not by text', () => {
    const out = orderMigrations([
      { fileName: '010_c.sql', sql: 'c' },
      { fileName: '002_b.sql', sql: 'b' },
      { fileName: '1000_d.sql', sql: 'd' },
      { fileName: '001_a.sql', sql: 'a' },
      { fileName: 'notes.txt', sql: '' },
    ])
    expect(out.map((m) => m.version)).toEqual([1, 2, 10, 1000])
    expect(out[0]?.checksum).toBe(checksumSql('a'))
  })
  it('refuses a misnamed .sql file and a repeated version', () => {
    expect(() => orderMigrations([{ fileName: '004-oops.sql', sql: '' }])).toThrow(/NNN_name\.sql/)
    expect(() =>
      orderMigrations([
        { fileName: '002_a.sql', sql: '' },
        { fileName: '002_b.sql', sql: '' },
      ]),
    ).toThrow(/share version 2/)
  })
})

describe('checksumSql', () => {
  it('ignores CRLF line ends but nothing else', () => {
    expect(checksumSql('a;\r\nb;\r\n')).toBe(checksumSql('a;\nb;\n'))
    expect(checksumSql('a;\nb;\n')).not.toBe(checksumSql('a;\nb; \n'))
    expect(checksumSql('x')).toMatch(/^[0-9a-f]{64}$/)
  })
})

describe('pendingMigrations', () => {
  const files = orderMigrations([
    { fileName: '001_a.sql', sql: 'a' },
    { fileName: '002_b.sql', sql: 'b' },
  ])
  it('returns the files not yet applied', () => {
    expect(pendingMigrations(files, []).map((f) => f.version)).toEqual([1, 2])
    const applied = [{ version: 1, name: 'a', checksum: checksumSql('a') }]
    expect(pendingMigrations(files, applied).map((f) => f.version)).toEqual([2])
  })
  it('refuses an edited applied file and an unknown applied version', () => {
    expect(() => pendingMigrations(files, [{ version: 1, name: 'a', checksum: checksumSql('A') }])).toThrow(
      /001_a\.sql changed after it was applied/,
    )
    expect(() => pendingMigrations(files, [{ version: 3, name: 'c', checksum: 'x' }])).toThrow(
      /does not know/,
    )
  })
})

describe('schema names and lock keys', () => {
  it('accepts plain identifiers only', () => {
    expect(() => assertSchemaName('public')).not.toThrow()
    expect(() => assertSchemaName('t_abc_123')).not.toThrow()
    for (const bad of ['', 'Public', 'a-b', 'a b', 'x";drop', '1abc', 'a'.repeat(64)]) {
      expect(() => assertSchemaName(bad), bad).toThrow(/invalid schema name/)
    }
  })
  it('gives stable, distinct int4 keys per schema', () => {
    const [a, b] = migrationLockKeys('public')
    expect(migrationLockKeys('public')).toEqual([a, b])
    expect(migrationLockKeys('t_other')).not.toEqual([a, b])
    for (const k of [a, b]) expect(Number.isInteger(k) && k >= -(2 ** 31) && k < 2 ** 31).toBe(true)
  })
})

describe('resolveSqlDir', () => {
  const repoSql = path.resolve(import.meta.dirname, '../../../sql')
  it('finds the repo sql/ from this module and from a bundled out/main', () => {
    expect(resolveSqlDir()).toBe(repoSql)
    expect(resolveSqlDir(undefined, path.resolve(repoSql, '../out/main'))).toBe(repoSql)
  })
  it('takes an explicit dir and refuses one without migrations', () => {
    expect(resolveSqlDir(repoSql)).toBe(repoSql)
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'tickflow-sql-'))
    try {
      expect(() => resolveSqlDir(empty)).toThrow(/no NNN_name\.sql migrations/)
      expect(() => resolveSqlDir(undefined, empty)).toThrow(/cannot find the sql\/ migrations/)
    } finally {
      fs.rmSync(empty, { recursive: true })
    }
  })
  it('loads the repo migrations in order, starting at 1 without gaps', async () => {
    const files = await loadMigrations(repoSql)
    expect(files.map((f) => f.version)).toEqual(files.map((_, i) => i + 1))
    expect(files.map((f) => f.fileName).slice(0, 3)).toEqual([
      '001_schema.sql',
      '002_kpi_views.sql',
      '003_kpi_snapshot.sql',
    ])
  })
})
