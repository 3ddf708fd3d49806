import { rm } from 'node:fs/promises'
import pg from 'pg'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { writerApplicationName } from '../src/main/pipeline/consumer/consumer-thread-run'
import { startSimulator, type Simulator } from '../src/main/pipeline/sources/simulator'
import { alertLines, killCliProcesses, spawnCli, stopWhenSettled, whileRunning } from './helpers/cli-process'
import { countStoredTrades, expectStoredAsSent } from './helpers/harness'
import { tempDataDir } from './helpers/services-pipeline'
import { dropTestSchema, openTestDatabase, uniqueSchemaName } from './setup/test-database'

// Only a cap for a hung run: the test stops the CLI itself once every sent trade is stored.
const DURATION_S = 300

let sim: Simulator | null = null
let admin: pg.Client | null = null
let dir: string | null = null
let schema: string | null = null
afterEach(async () => {
  await killCliProcesses()
  await sim?.stop()
  await admin?.end().catch(() => undefined)
  if (schema) await dropTestSchema(schema)
  if (dir) await rm(dir, { recursive: true, force: true })
  sim = admin = dir = schema = null
})

/**
 * What a PostgreSQL restart does to a client, aimed at this run's writer only: the server is shared
 * (other schemas, other runs), so only sessions with the writer's application_name go.
 * Returns how many sessions were ended.
 */
async function terminateWriter(client: pg.Client, schema: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(
    `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity
      WHERE application_name = $1 AND datname = current_database() AND pid <> pg_backend_pid()`,
    [writerApplicationName(schema)],
  )
  return Number(rows[0]!.n)
}

describe('PostgreSQL sessions of the CLI pipeline ended three times mid-stream', () => {
  it('loses no trade, stores none twice, keeps its writer thread, drains and exits 0 on SIGTERM', async () => {
    dir = await tempDataDir('tickflow-pg-restart-')
    schema = uniqueSchemaName('pgr')
    sim = await startSimulator({ seed: 8, tradesPerSecond: 1_000, tradesPerFrame: [1, 10], retainSent: true })
    const args = [
      ...['--source', 'finnhub', '--finnhub-url', sim.url, '--symbols', 'AAPL,AMZN,BINANCE:BTCUSDT'],
      ...['--brokers', inject('kafkaBrokers'), '--topic', `pgr-${schema}`, '--group-id', `pgr-${schema}`],
      ...['--database-url', inject('databaseUrl'), '--schema', schema],
      ...['--data-dir', dir, '--duration', String(DURATION_S)],
    ]
    const cli = spawnCli(args, { env: { FINNHUB_TOKEN: 'any-token' } })
    const { out } = cli
    const spawnedAt = Date.now()
    const marks: string[] = [] // when each step came, in s after the spawn, for the log
    const mark = (what: string): number =>
      marks.push(`${what} ${Math.round((Date.now() - spawnedAt) / 1000)}`)
    admin = new pg.Client({ connectionString: inject('databaseUrl') })
    await admin.connect()

    // Three times: end every writer session (idle or mid-transaction), then see writes resume.
    for (let round = 1; round <= 3; round++) {
      const before = await whileRunning(cli, `rows written before cut ${round}`, () =>
        cli.rows() >= round * 2_000 ? cli.rows() : undefined,
      )
      await whileRunning(cli, `writer sessions to end (cut ${round})`, async () =>
        (await terminateWriter(admin!, schema!)) > 0 ? true : undefined,
      )
      mark(`cut ${round}`)
      await whileRunning(cli, `writes to resume after cut ${round}`, () =>
        cli.rows() >= before + 1_000 ? true : undefined,
      )
    }
    mark('feed stopped')
    sim.setRate(0)
    // Counted in the table, not by `rows`: a commit whose answer the cut lost is retried as duplicates.
    const { code } = await stopWhenSettled(cli, {
      expected: () => sim!.stats().sentTrades,
      count: () => countStoredTrades(schema!),
    })
    mark('exited')
    console.log(`[postgres-restart] s after the spawn: ${marks.join(', ')}`)
    expect(out.stderr).toContain('terminated: draining')
    expect(code, out.stderr).toBe(0)
    expect(out.stdout).not.toMatch(/ failed \(/)
    expect(cli.lastLine()).toMatch(/stopped .* lag 0 · rows \d+ · rejects 0 · dropped 0/)
    // The cuts were told in words, and the writer thread lived through them: without error
    // listeners on the pool and its clients the thread died (and was replaced) on every cut.
    const alerts = alertLines(cli)
    expect(
      alerts.some((m) => /PostgreSQL (write failed|connection lost)/.test(m)),
      out.stderr,
    ).toBe(true)
    expect(alerts.filter((m) => /consumer thread/.test(m))).toEqual([])

    const db = await openTestDatabase({ schema })
    try {
      await expectStoredAsSent(db, sim)
    } finally {
      await db.close() // drops the schema; afterEach then has nothing left to drop
    }
  }, 400_000)
})
