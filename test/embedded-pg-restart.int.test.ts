import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { startSimulator, type Simulator } from '../src/main/pipeline/sources/simulator'
import { openDatabase } from '../src/main/postgres/database'
import { startEmbeddedPostgres } from '../src/main/postgres/embedded'
import { alertLines, killCliProcesses, spawnCli, stopWhenSettled, whileRunning } from './helpers/cli-process'
import { missingFrom, storedTradeKeys, tradeKey } from './helpers/harness'
import { killMentioning, processesMentioning } from './helpers/processes'
import { tempDataDir } from './helpers/services-pipeline'

// Only a cap for a hung run: the test stops the CLI itself once the writer has caught up.
const DURATION_S = 300

let sim: Simulator | null = null
let dir: string | null = null
afterEach(async () => {
  await killCliProcesses()
  await sim?.stop()
  if (dir) {
    await killMentioning(dir) // a postmaster a failed test left behind, never outside this data dir
    await rm(dir, { recursive: true, force: true })
  }
  sim = dir = null
})

/** The running postmaster of the data dir: its pid and port (lines 1 and 4 of postmaster.pid). */
async function postmaster(dataDir: string): Promise<{ pid: number; port: number }> {
  const lines = (await readFile(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')
  return { pid: Number(lines[0]), port: Number(lines[3]) }
}

/** The trades of the data dir's embedded PostgreSQL, with the CLI gone. */
async function storedInDataDir(dataDir: string): Promise<string[]> {
  const server = await startEmbeddedPostgres({ dataDir })
  try {
    const db = await openDatabase({ databaseUrl: server.url, dataDir, schema: 'public' })
    try {
      return await storedTradeKeys(db)
    } finally {
      await db.close()
    }
  } finally {
    await server.stop()
  }
}

describe('embedded PostgreSQL SIGKILLed under the CLI pipeline', () => {
  it('is restarted on its port; no trade is lost or stored twice; the CLI drains and exits 0 on SIGTERM', async () => {
    dir = await tempDataDir('tickflow-pg-restart-')
    sim = await startSimulator({ seed: 22, tradesPerSecond: 800, tradesPerFrame: [1, 8], retainSent: true })
    // Its own PostgreSQL in the data dir (durable settings, as the app runs it); the run's broker.
    const topic = `epg-${Date.now().toString(36)}`
    const args = [
      ...['--source', 'finnhub', '--finnhub-url', sim.url, '--symbols', 'AAPL,BINANCE:BTCUSDT'],
      ...['--brokers', inject('kafkaBrokers'), '--topic', topic, '--group-id', topic],
      ...['--data-dir', dir, '--duration', String(DURATION_S)],
    ]
    const cli = spawnCli(args, { env: { FINNHUB_TOKEN: 'any-token' } })
    const { out } = cli
    const spawnedAt = Date.now()
    const marks: string[] = [] // when each step came, in s after the spawn, for the log
    const mark = (what: string): number =>
      marks.push(`${what} ${Math.round((Date.now() - spawnedAt) / 1000)}`)

    await whileRunning(cli, 'rows before the kill', () => (cli.rows() >= 1_000 ? true : undefined))
    const killed = await postmaster(dir)
    process.kill(killed.pid, 'SIGKILL') // mid-transaction, most likely: the writer commits continuously
    mark('killed')
    const back = await whileRunning(cli, 'PostgreSQL to be back', () =>
      out.stderr.match(/^info: embedded PostgreSQL is back on (\S+) \(pid (\d+)\)$/m),
    )
    mark('back')
    expect(back[1]).toBe(`127.0.0.1:${killed.port}`)
    const now = await postmaster(dir)
    expect(now.pid).not.toBe(killed.pid)
    expect(now.pid).toBe(Number(back[2]))
    // The supervisor's first word is the death it saw.
    expect(alertLines(cli).find((l) => / embedded PostgreSQL /.test(l))).toMatch(
      new RegExp(
        `^error: embedded PostgreSQL \\(pid ${killed.pid}\\) was killed by SIGKILL; restarting it in`,
      ),
    )

    const atBack = cli.rows()
    await whileRunning(cli, 'writes after the restart', () =>
      cli.rows() >= atBack + 1_000 ? true : undefined,
    )
    mark('feed stopped')
    sim.setRate(0)
    // No expected count: `rows` may fall short of the table (a commit whose answer the kill lost is
    // retried as duplicates), and the table is the CLI's own PostgreSQL; the check below counts it.
    const { code } = await stopWhenSettled(cli)
    mark('exited')
    console.log(`[embedded-pg-restart] s after the spawn: ${marks.join(', ')}`)
    expect(out.stderr).toContain('terminated: draining')
    expect(code, out.stderr).toBe(0)
    expect(out.stdout).not.toMatch(/ failed \(/)
    expect(cli.lastLine()).toMatch(/stopped .* lag 0 · rows \d+ · rejects 0 · dropped 0/)
    // The CLI stopped the PostgreSQL it restarted.
    expect(await processesMentioning(dir)).toEqual([])

    const stored = await storedInDataDir(dir)
    const sent = sim.sent.map(tradeKey)
    expect(sent).toHaveLength(sim.stats().sentTrades)
    expect(missingFrom(sent, stored)).toEqual([])
    expect(missingFrom(stored, sent)).toEqual([])
  }, 400_000)
})
