import { rm } from 'node:fs/promises'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { freePort } from '../src/main/kafka/broker/broker-launch'
import { startEmbeddedPostgres } from '../src/main/postgres/embedded'
import { killCliProcesses, spawnCli, spawnCliOnPort, type CliProcess } from './helpers/cli-process'
import { waitFor } from './helpers/harness'
import { killMentioning, processesMentioning } from './helpers/processes'
import { tempDataDir } from './helpers/services-pipeline'

let dir: string | null = null
afterEach(async () => {
  // A failed run must leave nothing behind: the CLI's group, then whatever still names its dir.
  await killCliProcesses()
  if (dir) {
    await killMentioning(dir)
    await rm(dir, { recursive: true, force: true })
  }
  dir = null
})

async function countTrades(dataDir: string): Promise<number> {
  const server = await startEmbeddedPostgres({ dataDir })
  try {
    const client = new pg.Client({ connectionString: server.url })
    await client.connect()
    try {
      const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM public.trades')
      return Number(rows[0]!.n)
    } finally {
      await client.end()
    }
  } finally {
    await server.stop()
  }
}

const cliArgs = (dataDir: string, port: number, extra: string[] = []): string[] => [
  ...['--source', 'demo', '--demo-rate', '300', '--data-dir', dataDir, '--kafka-port', String(port)],
  ...extra,
]

/**
 * The CLI in its own process group, as a shell runs a foreground job, on our data dir; its broker
 * on `port` (a free one if not given, or if another process took it meanwhile).
 */
function startCli(
  dataDir: string,
  port?: number,
  extra: string[] = [],
): Promise<{ cli: CliProcess; port: number }> {
  return spawnCliOnPort((p) => cliArgs(dataDir, p, extra), { port, detached: true })
}

const rowsWritten = (run: CliProcess): Promise<unknown> =>
  waitFor(
    'rows written while running',
    () => ({ ...run.out, code: run.child.exitCode }),
    (v) => v.code === null && /running \(demo open\).* rows [1-9]/.test(v.stdout),
    180_000,
  )

describe('Ctrl-C in a terminal, with the managed broker and embedded PostgreSQL', () => {
  it('drains every received trade into PostgreSQL, exits 0 and leaves no service behind', async () => {
    dir = await tempDataDir('tickflow-cli-ctrlc-')
    const { cli: run } = await startCli(dir)
    await rowsWritten(run)
    // The whole group gets the SIGINT, as from a terminal's Ctrl-C.
    run.kill('SIGINT')
    const { code } = await run.exited
    const { stderr } = run.out

    expect(stderr).toContain('interrupted: draining')
    // The services outlived the drain: no session was cut by a PostgreSQL that stopped first.
    expect(stderr).not.toMatch(/administrator command|terminating connection|Kafka send failed/)
    expect(code).toBe(0)
    const last = run.lastLine()
    const m = /stopped .* lag 0 · rows (\d+) · rejects 0 · dropped 0/.exec(last)
    expect(m, last).not.toBeNull()

    // Nothing of this data dir runs any more: no broker, no postmaster.
    expect(await processesMentioning(dir)).toEqual([])
    // Everything the last status line counted as written is in the table.
    const rows = Number(m![1])
    expect(rows).toBeGreaterThan(0)
    expect(await countTrades(dir)).toBe(rows)
  }, 300_000)

  it('refuses a second run on the data dir; a SIGKILLed run leaves nothing behind, and the next takes over', async () => {
    dir = await tempDataDir('tickflow-cli-kill-')
    const { cli: first, port } = await startCli(dir)
    await rowsWritten(first)

    // A second Tickflow on the same data dir would stop the first one's PostgreSQL as an orphan.
    // It stops at the data dir's lock, before any port is bound.
    const second = spawnCli(cliArgs(dir, await freePort()), { detached: true })
    expect((await second.exited).code).toBe(1)
    expect(second.out.stderr).toContain(
      `another process (pid ${first.child.pid}) runs Tickflow on the data dir`,
    )
    expect(first.child.exitCode).toBeNull()

    // Killed outright: no drain, no exit hooks. The watchdogs stop the broker and PostgreSQL.
    first.child.kill('SIGKILL')
    await first.exited
    await waitFor(
      'no process of the data dir',
      () => processesMentioning(dir!),
      (ps) => ps.length === 0,
      90_000,
    )

    // The next run finds the killed run's lock (and the broker's state file) and takes over.
    const { cli: next } = await startCli(dir, port, ['--duration', '4'])
    expect((await next.exited).code).toBe(0)
    expect(next.lastLine()).toMatch(/stopped .* lag 0 · rows \d+ · rejects 0 · dropped 0/)
    expect(await processesMentioning(dir)).toEqual([])
  }, 400_000)
})
