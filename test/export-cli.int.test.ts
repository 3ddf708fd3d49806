import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest'
import type { Database } from '../src/main/postgres/database'
import { openTestDatabase } from './setup/test-database'

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * Runs `npm run export -- …` as npm would (tsx), with no database or broker from the environment.
 * `onStderr` sees stderr as it comes, with the child (to signal it).
 */
function exportCli(args: string[], onStderr?: (text: string, child: ChildProcess) => void): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/export-cli.ts', ...args], {
    env: { ...process.env, DATABASE_URL: '', KAFKA_BROKERS: '' },
  })
  const run: Run = { code: null, stdout: '', stderr: '' }
  child.stdout.on('data', (d: Buffer) => (run.stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => {
    run.stderr += d.toString()
    onStderr?.(run.stderr, child)
  })
  return new Promise((resolve) => child.on('close', (code) => resolve({ ...run, code })))
}

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0)

describe('npm run export (headless)', () => {
  let db: Database
  let dir: string
  let conn: string[]

  beforeAll(async () => {
    db = await openTestDatabase()
    dir = await mkdtemp(join(tmpdir(), 'tickflow-export-cli-'))
    conn = ['--database-url', inject('databaseUrl'), '--schema', db.schema, '--data-dir', dir]
    const at = (ms: string): string => `timestamptz 'epoch' + (${ms}) * interval '1 millisecond'`
    await db.pool.query(
      `INSERT INTO trades (symbol, price, volume, traded_at, received_at, consumed_at, written_at,
                           kafka_topic, kafka_partition)
       SELECT (ARRAY['AAPL','=cmd|'' /C calc''!A0'])[i % 2 + 1], 171.46, i, ${at(`${T0} + i * 1000`)},
              ${at(`${T0} + i * 1000`)}, ${at(`${T0} + i * 1000`)}, ${at(`${T0} + i * 1000`)}, 'cli', 0
       FROM generate_series(0, 9) AS i`,
    )
  })

  afterAll(async () => {
    await db?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('writes the CSV to stdout with --out - and exits 0', async () => {
    const run = await exportCli([
      ...['--from', '2024-05-01T12:00:00Z', '--to', String(T0 + 5000), '--out', '-'],
      ...conn,
    ])
    expect(run.stderr).toMatch(/exported 5 rows to stdout/)
    expect(run.code).toBe(0)
    const [header, ...rows] = parse(run.stdout) as string[][]
    expect(header?.[0]).toBe('symbol')
    expect(rows.map((r) => r[0])).toEqual([
      'AAPL',
      "'=cmd|' /C calc'!A0",
      'AAPL',
      "'=cmd|' /C calc'!A0",
      'AAPL',
    ])
    expect(rows[0]?.[4]).toBe('2024-05-01T12:00:00.000Z')
  })

  it('writes a file and a KPI view, whole, with nothing left beside it', async () => {
    const out = join(dir, 'out', 'symbols.csv')
    const run = await exportCli([
      ...['--kpi', 'symbols', '--from', String(T0), '--to', String(T0 + 10_000), '--out', out, '--quiet'],
      ...conn,
    ])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const table = parse(await readFile(out, 'utf8')) as string[][]
    expect(table[0]?.slice(0, 2)).toEqual(['symbol', 'trades'])
    expect(table.slice(1).map((r) => r[1])).toEqual(['5', '5'])
    expect(await readdir(join(dir, 'out'))).toEqual(['symbols.csv'])
  })

  it('on Ctrl-C stops, exits 130 and leaves no file under the name', async () => {
    // 300,000 rows a day later: long enough to interrupt after the first progress line.
    const T1 = T0 + 86_400_000
    await db.pool.query(
      `INSERT INTO trades (symbol, price, volume, traded_at, received_at, consumed_at, written_at,
                           kafka_topic, kafka_partition)
       SELECT 'AAPL', 1, 1, t, t, t, t, 'cli-big', 0
       FROM generate_series(0, 299999) AS i, LATERAL (SELECT timestamptz 'epoch' + (${T1} + i) * interval '1 millisecond' AS t) AS x`,
    )
    const out = join(dir, 'interrupted', 'trades.csv')
    let signalled = false
    const run = await exportCli(
      ['--from', String(T1), '--to', String(T1 + 300_000), '--out', out, ...conn],
      (text, child) => {
        if (signalled || !/… [\d,]+ rows/.test(text)) return
        signalled = true
        child.kill('SIGINT')
      },
    )
    expect(signalled).toBe(true)
    expect(run.code, run.stderr).toBe(130)
    expect(run.stderr).toMatch(/interrupted; nothing written to /)
    expect(await readdir(join(dir, 'interrupted'))).toEqual([])
  })

  it('refuses a bad --from with a clear message and exit 2, before opening anything', async () => {
    const run = await exportCli(['--from', 'yesterday', '--out', '-', ...conn])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(
      /^tickflow export: --from: "yesterday" is neither a ms epoch nor an ISO-8601 time/,
    )
  })

  it('reports a database it cannot reach with exit 1', async () => {
    const run = await exportCli([
      ...['--from', '0', '--out', '-', '--database-url', 'postgres://nobody@127.0.0.1:1/none'],
      ...['--data-dir', dir],
    ])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/cannot connect to PostgreSQL at 127\.0\.0\.1:1/)
  })
})
