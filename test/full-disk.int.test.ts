import { execFile } from 'node:child_process'
import { chown, mkdir, readFile, rename, rm, symlink } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { startSimulator, type Simulator } from '../src/main/pipeline/sources/simulator'
import { openDatabase } from '../src/main/postgres/database'
import { postgresIdentity } from '../src/main/postgres/embedded-files'
import { startEmbeddedPostgres } from '../src/main/postgres/embedded'
import {
  alertLines,
  killCliProcesses,
  spawnCli,
  statusLines,
  stopWhenSettled,
  whileRunning,
} from './helpers/cli-process'
import { missingFrom, storedTradeKeys, tradeKey } from './helpers/harness'
import { killMentioning } from './helpers/processes'
import { tempDataDir } from './helpers/services-pipeline'
import { cannotMount, fillWithBallast, mountTmpfs, removeBallast, unmount } from './helpers/small-disk'

const exec = promisify(execFile)

// Only a cap for a hung run: the test stops the CLI itself once the writer has caught up.
const DURATION_S = 300
// A migrated cluster takes ~50 MB (16 MB of it one WAL segment): room for it and the first rows.
const DISK_MB = 96
// A deadline, not a timing goal: each alert came within 2 s of the fill here.
const ALERT_DEADLINE_MS = 30_000

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

/**
 * pg_switch_wal() on the data dir's running server until it dies: each switch makes the next WAL
 * record need another segment. The first switches may land in segments a checkpoint recycled
 * (renamed, already allocated), which need no space; only a segment made anew fails on the full
 * disk, so one switch alone left the server up now and then.
 */
async function switchWal(dataDir: string): Promise<void> {
  const port = (await readFile(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[3]
  const password = (await readFile(join(dataDir, 'postgres.password'), 'utf8')).trim()
  const client = new pg.Client({
    host: '127.0.0.1',
    port: Number(port),
    user: 'postgres',
    password,
    database: 'tickflow',
  })
  let ended = false
  client.on('error', () => undefined) // the PANIC ends the session
  client.on('end', () => (ended = true))
  await client.connect()
  try {
    for (let i = 0; i < 64; i++) {
      try {
        await client.query('SELECT pg_switch_wal()')
        await client.query(`CREATE TEMP TABLE wal_probe_${i} AS SELECT 1 AS one`) // WAL into the new segment
      } catch (err) {
        // A segment made outside a critical section fails with a plain ERROR, and the server lives
        // on (as in a clean-clone run): write on until one fails inside one, a PANIC.
        if (ended) throw err
      }
    }
  } finally {
    await client.end().catch(() => undefined)
  }
}

const lagOf = (line: string): number => Number(/ · lag (\d+) · /.exec(line)?.[1] ?? 0)

describe.skipIf(noMount !== null)(
  `embedded PostgreSQL on a disk that fills up mid-stream${noMount ? ` (skipped: ${noMount})` : ''}`,
  () => {
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
      const mark = (what: string): void => {
        marks.push(`${what} ${Math.round((Date.now() - spawnedAt) / 1000)}`)
        console.log(`[full-disk] ${marks.at(-1)!}`) // as it happens: a failed step shows how far it got
      }

      await whileRunning(cli, 'rows before the disk fills', () => (cli.rows() >= 1_000 ? true : undefined))
      const ballastBytes = await fillWithBallast(ballast)
      mark(`filled (${Math.round(ballastBytes / 1_048_576)} MB of ballast)`)

      // Round 1: tables and indexes cannot grow. Statements fail with 53100, the server stays up.
      // The writer's notice names the disk: the cluster dir, the tmpfs it is on, and 0 free.
      const full = await whileRunning(
        cli,
        'the disk-full alert',
        () => alertLines(cli).find((l) => /disk is full/.test(l) && /Kafka holds the backlog/.test(l)),
        ALERT_DEADLINE_MS,
      )
      mark('alert')
      expect(full).toContain(`PostgreSQL's disk is full, ${join(dir, 'postgres')} (disk mounted at ${mnt}): `)
      expect(full).toMatch(/: \d+ kB free of 100\.7 MB\. Writing is paused and nothing is committed/)
      // Kafka holds what cannot be written: the lag grows while the feed goes on.
      const from = statusLines(cli).length
      await whileRunning(cli, 'a backlog in Kafka', () =>
        statusLines(cli)
          .slice(from)
          .some((l) => lagOf(l) >= 1_500)
          ? true
          : undefined,
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

      // Round 2: the WAL cannot grow. A switch to a new segment (16 MB) on the full disk PANICs,
      // recovery needs a segment too, and the server stays down until space returns.
      await fillWithBallast(ballast)
      // The PANIC may end this very session; any other failure is worth seeing if the server stays up.
      await switchWal(dir).catch((err: Error) => mark(`WAL switch ended (${err.message})`))
      mark('WAL full')
      const down = await whileRunning(
        cli,
        'the server to die of the full disk',
        () => alertLines(cli).find((l) => /embedded PostgreSQL \(pid \d+\) exited/.test(l)),
        ALERT_DEADLINE_MS,
      )
      expect(down).toContain(
        `exited with code 1: its disk is full, ${join(dir, 'postgres')} (disk mounted at ${mnt}): `,
      )
      // It stays down while the disk is full: a restart fails, and says why.
      const refused = await whileRunning(cli, 'a restart refused for want of space', () =>
        alertLines(cli).find((l) => /embedded PostgreSQL could not restart: /.test(l)),
      )
      expect(refused).toMatch(/No space left on device; the disk is full: /)
      const atDeath = cli.rows()
      await removeBallast(ballast)
      mark('freed')
      await whileRunning(cli, 'the server back and writes resumed', () =>
        alertLines(cli).some((l) => /embedded PostgreSQL is back on/.test(l)) && cli.rows() >= atDeath + 1_500
          ? true
          : undefined,
      )
      mark('resumed')
      sim.setRate(0)
      const { code } = await stopWhenSettled(cli)
      mark('exited')
      console.log(`[full-disk] s after the spawn: ${marks.join(', ')}`)
      console.log(`[full-disk] alerts:\n${alertLines(cli).join('\n')}`)
      expect(code, out.stderr).toBe(0)
      expect(cli.lastLine()).toMatch(/stopped .* lag 0 · rows \d+ · rejects 0 · dropped 0/)

      const stored = await storedInDataDir(dir)
      const sent = sim.sent.map(tradeKey)
      expect(sent).toHaveLength(sim.stats().sentTrades)
      expect(missingFrom(sent, stored)).toEqual([])
      expect(missingFrom(stored, sent)).toEqual([])
    }, 400_000)
  },
)
