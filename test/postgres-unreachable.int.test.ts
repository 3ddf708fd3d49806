import { rm } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { startSimulator, type Simulator } from '../src/main/pipeline/sources/simulator'
import { killCliProcesses, spawnCli, stopWhenSettled } from './helpers/cli-process'
import { countStoredTrades, expectStoredAsSent, waitFor } from './helpers/harness'
import { tempDataDir } from './helpers/services-pipeline'
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy'
import { dropTestSchema, openTestDatabase, uniqueSchemaName } from './setup/test-database'

const OUTAGE_MS = 30_000
// Only a cap for a hung run: the test stops the CLI itself once every sent trade is stored.
const DURATION_S = 300

let sim: Simulator | null = null
let proxy: TcpProxy | null = null
let dir: string | null = null
let schema: string | null = null
afterEach(async () => {
  await killCliProcesses()
  await sim?.stop()
  await proxy?.close()
  if (schema) await dropTestSchema(schema)
  if (dir) await rm(dir, { recursive: true, force: true })
  sim = proxy = dir = schema = null
})

/** The run's database URL, pointed at the proxy instead. */
function throughProxy(url: string, port: number): string {
  const u = new URL(url)
  u.hostname = '127.0.0.1'
  u.port = String(port)
  return u.toString()
}

describe('PostgreSQL unreachable for 30 s under the CLI pipeline', () => {
  it('survives, stores every sent trade exactly once, drains and exits 0 on SIGTERM', async () => {
    dir = await tempDataDir('tickflow-pg-unreachable-')
    schema = uniqueSchemaName('pgu')
    proxy = await startTcpProxy({
      host: new URL(inject('databaseUrl')).hostname || '127.0.0.1',
      port: Number(new URL(inject('databaseUrl')).port || 5432),
    })
    sim = await startSimulator({ seed: 30, tradesPerSecond: 400, tradesPerFrame: [1, 6], retainSent: true })
    const args = [
      ...['--source', 'finnhub', '--finnhub-url', sim.url, '--symbols', 'AAPL,AMZN,BINANCE:BTCUSDT'],
      ...['--brokers', inject('kafkaBrokers'), '--topic', `pgu-${schema}`, '--group-id', `pgu-${schema}`],
      ...['--database-url', throughProxy(inject('databaseUrl'), proxy.port), '--schema', schema],
      ...['--data-dir', dir, '--duration', String(DURATION_S)],
    ]
    const cli = spawnCli(args, { env: { FINNHUB_TOKEN: 'any-token' } })
    const { out } = cli

    const before = await waitFor(
      'rows written before the outage',
      () => ({ rows: cli.rows(), alive: cli.running(), stderr: out.stderr }),
      (v) => !v.alive || v.rows >= 500,
      120_000,
    )
    expect(before.alive).toBe(true)

    // Every session cut at once, and no new one possible, for the length of the outage.
    await proxy.cut()
    await sleep(OUTAGE_MS)
    expect(cli.running(), out.stderr).toBe(true)
    const duringOutage = cli.rows()
    await proxy.restore()

    const after = await waitFor(
      'writes to resume after the outage',
      () => ({ rows: cli.rows(), alive: cli.running(), stderr: out.stderr }),
      (v) => !v.alive || v.rows >= duringOutage + 1_000,
      120_000,
    )
    expect(after.alive, after.stderr).toBe(true)
    sim.setRate(0)
    // Counted in the table, not by `rows`: a commit whose answer the cut lost is retried as duplicates.
    const { code } = await stopWhenSettled(cli, {
      expected: () => sim!.stats().sentTrades,
      count: () => countStoredTrades(schema!),
    })
    expect(out.stderr).toContain('terminated: draining')
    expect(code, out.stderr).toBe(0)
    // The outage was told in words, and the pipeline itself never failed.
    expect(out.stderr).toMatch(/PostgreSQL (write failed|connection lost)/)
    expect(out.stdout).not.toMatch(/ failed \(/)
    const last = cli.lastLine()
    expect(last).toMatch(/stopped .* lag 0 · rows \d+ · rejects 0 · dropped 0/)

    const db = await openTestDatabase({ schema })
    try {
      await expectStoredAsSent(db, sim)
    } finally {
      // openTestDatabase's close drops the schema; afterEach then has nothing left to drop.
      await db.close()
    }
  }, 400_000)
})
