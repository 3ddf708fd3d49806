import { execFile } from 'node:child_process'
import { chown, mkdir, rename, rm, symlink } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { startSimulator, type Simulator } from '../src/main/pipeline/sources/simulator'
import { openDatabase } from '../src/main/postgres/database'
import { postgresIdentity } from '../src/main/postgres/embedded-files'
import { startEmbeddedPostgres } from '../src/main/postgres/embedded'
import { alertLines, killCliProcesses, spawnCli, statusLines, stopWhenSettled, whileRunning } from './helpers/cli-process'
import { missingFrom, storedTradeKeys, tradeKey } from './helpers/harness'
import { killMentioning } from './helpers/processes'
import { tempDataDir } from './helpers/services-pipeline'
import { cannotMount, fillWithBallast, mountTmpfs, removeBallast, unmount } from './helpers/small-disk'

const exec = promisify(execFile)

// Only a cap for a hung run: the test stops the CLI itself once the writer has caught up.
const DURATION_S = 300
// A migrated cluster takes ~50 MB (16 MB of it one WAL segment): room for it and the first rows.
const DISK_MB = 96

const noMount = await cannotMount()

let sim: Simulator | null = null
let dir: string | null = null
let disk: string | null = null
afterEach(async () => {
  await killCliProcesses()
  await sim?.stop()
  if (dir) await killMentioning(dir) // a postmaster a failed test left behind, never outside this dir
  if (disk) await unmount(disk)
  if (dir) await rm(dir, { recursive: true, force: true })
  sim = dir = disk = null
})

/**
 * <dir>/postgres, a link to a migrated cluster on a tmpfs of its own at <dir>/disk. Made and migrated
 * on the ordinary disk first (initdb clears its target, which a mount point cannot be), then copied.
 */
async function clusterOnSmallDisk(dataDir: string): Promise<string> {
  const server = await startEmbeddedPostgres({ dataDir })
  try {
    const db = await openDatabase({ databaseUrl: server.url, dataDir, schema: 'public' })
    await db.close()
  } finally {
    await server.stop()
  }
  const mnt = join(dataDir, 'disk')
  await mkdir(mnt)
  await mountTmpfs(mnt, DISK_MB)
  disk = mnt
  const who = await postgresIdentity()
  if (who.uid !== undefined) await chown(mnt, who.uid, who.gid ?? who.uid)
  await rename(join(dataDir, 'postgres'), join(dataDir, 'postgres-made'))
  await exec('cp', ['-a', join(dataDir, 'postgres-made'), join(mnt, 'postgres')])
  await rm(join(dataDir, 'postgres-made'), { recursive: true })
  await symlink(join(mnt, 'postgres'), join(dataDir, 'postgres'))
  return mnt
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

const lagOf = (line: string): number => Number(/ · lag (\d+) · /.exec(line)?.[1] ?? 0)

describe.skipIf(noMount !== null)(`embedded PostgreSQL on a disk that fills up mid-stream${noMount ? ` (skipped: ${noMount})` : ''}`, () => {
  it('pauses the writer with an alert naming the disk, holds the backlog in Kafka, resumes once space is freed; nothing lost or doubled', async () => {
    dir = await tempDataDir('tickflow-full-disk-')
    const mnt = await clusterOnSmallDisk(dir)
    const ballast = join(mnt, 'ballast')
    sim = await startSimulator({ seed: 13, tradesPerSecond: 800, tradesPerFrame: [1, 8], retainSent: true })
    const topic = `full-${Date.now().toString(36)}`
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

    await whileRunning(cli, 'rows before the disk fills', () => (cli.rows() >= 1_000 ? true : undefined))
    const ballastBytes = await fillWithBallast(ballast)
    mark(`filled (${Math.round(ballastBytes / 1_048_576)} MB of ballast)`)

    // The writer's notice names the disk: the cluster dir, the tmpfs it is on, and 0 free.
    const full = await whileRunning(cli, 'the disk-full alert', () =>
      alertLines(cli).find((l) => /disk is full/.test(l) && /Kafka holds the backlog/.test(l)),
    )
    mark('alert')
    expect(full).toContain(`PostgreSQL's disk is full, ${join(dir, 'postgres')} (disk mounted at ${mnt}): `)
    expect(full).toMatch(/: \d+ kB free of 100\.7 MB\. Writing is paused and nothing is committed/)
    // Kafka holds what cannot be written: the lag grows while the feed goes on.
    const from = statusLines(cli).length
    await whileRunning(cli, 'a backlog in Kafka', () =>
      statusLines(cli).slice(from).some((l) => lagOf(l) >= 1_500) ? true : undefined,
    )
    const stuck = cli.rows()
    mark('backlog')

    await removeBallast(ballast)
    mark('freed')
    await whileRunning(cli, 'writes to resume', () =>
      alertLines(cli).some((l) => /PostgreSQL writes succeed again: the disk has room again/.test(l)) &&
      cli.rows() >= stuck + 1_500
        ? true
        : undefined,
    )
    mark('resumed')
    sim.setRate(0)
    const { code } = await stopWhenSettled(cli)
    mark('exited')
    // Which of PostgreSQL's two ways of failing this run met (disk-full.ts): a WAL segment that
    // could not be made takes the server down, and the supervisor says so.
    const died = alertLines(cli).some((l) => /embedded PostgreSQL \(pid \d+\)/.test(l))
    console.log(
      `[full-disk] ${died ? 'WAL full: server down and restarted' : 'table full: statements failed'}; ` +
        `s after the spawn: ${marks.join(', ')}`,
    )
    expect(code, out.stderr).toBe(0)
    expect(cli.lastLine()).toMatch(/stopped .* lag 0 · rows \d+ · rejects 0 · dropped 0/)

    const stored = await storedInDataDir(dir)
    const sent = sim.sent.map(tradeKey)
    expect(sent).toHaveLength(sim.stats().sentTrades)
    expect(missingFrom(sent, stored)).toEqual([])
    expect(missingFrom(stored, sent)).toEqual([])
  }, 400_000)
})
